namespace OrleansReplica.Runtime;

/// <summary>Marker for grain interfaces addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain
{
}
