using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>
/// Hosts grains inside this process: one activation per grain id, created on first call, whose turns
/// never overlap. Instances are independent of each other.
/// </summary>
public sealed class GrainRuntime : IGrainFactory, IAsyncDisposable
{
    private readonly Dictionary<Type, GrainRegistration> registrations;
    private readonly ConcurrentDictionary<(Type Interface, long Key), GrainActivation> integerKeyed = new();
    private readonly ConcurrentDictionary<(Type Interface, string Key), GrainActivation> stringKeyed = new();
    private readonly ConcurrentDictionary<string, IStreamProvider> streamProviders = new(StringComparer.Ordinal);

    public GrainRuntime(GrainRegistry registry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(services);
        registrations = registry.Snapshot();
        Services = services;
        Logger = services.GetService<ILoggerFactory>()?.CreateLogger<GrainRuntime>() ?? NullLogger<GrainRuntime>.Instance;
        TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
    }

    internal IServiceProvider Services { get; }

    internal ILogger Logger { get; }

    /// <summary>Clock of grain timers; taken from the services when registered there.</summary>
    internal TimeProvider TimeProvider { get; }

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey) where TGrainInterface : class, IGrainWithIntegerKey =>
        (TGrainInterface)integerKeyed.GetOrAdd(
            (typeof(TGrainInterface), primaryKey),
            static (id, runtime) => runtime.CreateActivation(id.Interface, id.Key.ToString(CultureInfo.InvariantCulture), id.Key),
            this).Reference;

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey) where TGrainInterface : class, IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        return (TGrainInterface)stringKeyed.GetOrAdd(
            (typeof(TGrainInterface), primaryKey),
            static (id, runtime) => runtime.CreateActivation(id.Interface, id.Key, null),
            this).Reference;
    }

    public void AddStreamProvider(string name, IStreamProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (!streamProviders.TryAdd(name, provider))
        {
            throw new InvalidOperationException($"A stream provider named '{name}' is already registered.");
        }
    }

    public IStreamProvider GetStreamProvider(string name) =>
        streamProviders.TryGetValue(name, out var provider)
            ? provider
            : throw new KeyNotFoundException($"No stream provider named '{name}' is registered.");

    /// <summary>Runs OnDeactivateAsync(ShuttingDown) as a turn of every activation and stops their timers.</summary>
    public Task DeactivateAllAsync(CancellationToken ct = default) =>
        Task.WhenAll(integerKeyed.Values.Concat(stringKeyed.Values)
            .Select(activation => activation.DeactivateAsync(DeactivationReasonCode.ShuttingDown, ct)));

    public async ValueTask DisposeAsync() => await DeactivateAllAsync().ConfigureAwait(false);

    /// <summary>Drops a deactivated collectible activation, unless its id already maps to a newer one.</summary>
    internal void Forget(GrainActivation activation)
    {
        if (activation.IntegerKey is { } key)
        {
            integerKeyed.TryRemove(KeyValuePair.Create((activation.GrainInterface, key), activation));
        }
        else
        {
            stringKeyed.TryRemove(KeyValuePair.Create((activation.GrainInterface, activation.GrainId.Key), activation));
        }
    }

    // Racing first calls may build two activations for one id; only the one stored wins, and an
    // activation does nothing until its first call, so the loser is simply dropped.
    private GrainActivation CreateActivation(Type grainInterface, string key, long? integerKey) =>
        registrations.TryGetValue(grainInterface, out var registration)
            ? new GrainActivation(this, registration, grainInterface, new GrainId(grainInterface.FullName!, key), integerKey)
            : throw new InvalidOperationException($"No grain class is registered for {grainInterface.FullName}.");
}
