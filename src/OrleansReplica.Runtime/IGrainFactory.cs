namespace OrleansReplica.Runtime;

/// <summary>Hands out references to grains; the grain is activated on its first call.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(long primaryKey) where TGrainInterface : class, IGrainWithIntegerKey;

    TGrainInterface GetGrain<TGrainInterface>(string primaryKey) where TGrainInterface : class, IGrainWithStringKey;
}
