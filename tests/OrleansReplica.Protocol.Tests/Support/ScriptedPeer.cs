using System.Net;
using System.Net.Sockets;

namespace OrleansReplica.Protocol.Tests.Support;

/// <summary>A loopback listener standing in for a server, to control exactly which bytes arrive when.</summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly List<Socket> _accepted = [];

    private ScriptedPeer(TcpListener listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static Task<ScriptedPeer> StartAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return Task.FromResult(new ScriptedPeer(listener));
    }

    public async Task<Socket> AcceptAsync()
    {
        var socket = await _listener.AcceptSocketAsync();
        socket.NoDelay = true;
        _accepted.Add(socket);
        return socket;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var socket in _accepted)
        {
            socket.Dispose();
        }

        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}
