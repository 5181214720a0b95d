using System.Collections.Concurrent;

namespace OrleansReplica.Hosting.Clients;

/// <summary>The connected clients of one silo, by id, with the maxclients limit.</summary>
public sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<long, ClientSession> _clients = new();
    private long _nextId;

    public int Count => _clients.Count;

    public IEnumerable<ClientSession> All => _clients.Values.OrderBy(static c => c.Id);

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(ClientSession session) => _clients[session.Id] = session;

    public void Remove(ClientSession session) => _clients.TryRemove(session.Id, out _);

    public ClientSession? Find(long id) => _clients.GetValueOrDefault(id);

    public void KillAll()
    {
        foreach (var client in _clients.Values)
        {
            client.Kill();
        }
    }
}
