namespace OrleansReplica.Runtime;

/// <summary>Marker for grain interfaces addressed by a 64-bit integer key.</summary>
public interface IGrainWithIntegerKey : IGrain
{
}
