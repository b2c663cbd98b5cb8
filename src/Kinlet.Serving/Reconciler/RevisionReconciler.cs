using Kinlet.Containers;
using Kinlet.Core.Model;
using Kinlet.Serving.Autoscaler;
using Kinlet.Serving.Logs;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// The control loop and the only writer of revision and instance lifecycle state. It reads messages
/// from <see cref="ReconcileQueue"/> one at a time, applies each to its books (RevisionReconciler.Messages.cs),
/// then asks <see cref="RevisionPlanner"/> what every touched revision needs and hands that work to
/// <see cref="InstanceWork"/> (RevisionReconciler.Steps.cs), whose outcomes come back as messages.
/// Everything outside the loop sees only what it publishes: the ready set, the failure, the view.
/// </summary>
public sealed partial class RevisionReconciler(
    RevisionRegistry registry,
    ReconcileQueue inbox,
    IScalePolicy scalePolicy,
    InstanceLauncher launcher,
    HealthMonitor health,
    IContainerRuntime runtime,
    IRevisionStatusSink statusSink,
    ServiceActivity activity,
    InstanceWork work,
    IOptions<ServingOptions> options,
    TimeProvider time,
    ILogger<RevisionReconciler> logger)
{
    private readonly ServingOptions _options = options.Value;

    // Loop-owned: touched only on the loop's turn, so neither needs a lock.
    private readonly Dictionary<RevisionKey, RevisionBook> _books = [];
    private readonly Dictionary<string, (RevisionBook Book, InstanceRecord Record)> _byContainer = new(StringComparer.Ordinal);
    private readonly HashSet<RevisionBook> _dirty = [];
    private bool _containersChanged;
    private string[] _tracked = [];

    public IReadOnlyDictionary<string, string> OwnLabels => new Dictionary<string, string> { [KnownKeys.ContainerDaemon] = _options.DaemonId };

    /// <summary>Container ids of the instances the loop believes are running (for the periodic check against the engine).</summary>
    public IReadOnlyCollection<string> TrackedContainers => Volatile.Read(ref _tracked);

    /// <summary>Runs the loop until cancelled: each batch of messages is applied, then every touched revision is planned.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(_options.ResyncInterval, time);
        var ticker = TickAsync(tick, cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var message = await inbox.ReadAsync(cancellationToken).ConfigureAwait(false);
                do
                {
                    Apply(message);
                }
                while (inbox.TryRead(out message));
                ReconcileDirty();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await ticker.ConfigureAwait(false);
    }

    private async Task TickAsync(PeriodicTimer tick, CancellationToken cancellationToken)
    {
        try
        {
            while (await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false)) inbox.Post(Resync.Instance);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Apply(ReconcileMessage message)
    {
        try
        {
            Handle(message);
        }
        catch (Exception e)
        {
            LogReconcileError(message.GetType().Name, e);
        }
    }

    private void ReconcileDirty()
    {
        foreach (var book in _dirty)
        {
            try
            {
                Reconcile(book);
            }
            catch (Exception e)
            {
                LogReconcileError(book.Revision.Key.ToString(), e);
            }
        }
        _dirty.Clear();
        if (_containersChanged)
        {
            _containersChanged = false;
            Volatile.Write(ref _tracked, [.. _byContainer.Keys]);
        }
    }

    /// <summary>Plans one revision and carries the plan out; never blocks (container work runs in the background).</summary>
    private void Reconcile(RevisionBook book)
    {
        var revision = book.Revision;
        if (!_books.TryGetValue(revision.Key, out var current) || !ReferenceEquals(current, book)) return;
        var now = time.GetUtcNow();
        book.Desired = revision.IsDeleted ? 0 : scalePolicy.DesiredScale(revision, now);
        var input = InputFor(book, now);
        var plan = RevisionPlanner.Plan(input);
        // Indexes in the plan point into the records as they were when planned; starts only append.
        var records = book.Instances.ToArray();
        foreach (var step in plan.Steps) CarryOut(book, step, step.Instance >= 0 ? records[step.Instance] : null);

        if (plan.WakeAt is { } at && book.WakeScheduled != at)
        {
            book.WakeScheduled = at;
            work.PostAt(at, new Poke(revision.Key));
        }
        if (plan.Forget)
        {
            _books.Remove(revision.Key);
            registry.Remove(revision);
            revision.Publish(book.View(null));
            revision.Fail(new RevisionFailure("RevisionDeleted", "the revision was deleted", now));
            return;
        }
        revision.Publish(book.View(scalePolicy.Current(revision)));
    }

    private PlanInput InputFor(RevisionBook book, DateTimeOffset now)
    {
        var revision = book.Revision;
        var instances = new PlannedInstance[book.Instances.Count];
        for (var i = 0; i < instances.Length; i++)
            instances[i] = new PlannedInstance(book.Instances[i].Stage, book.Instances[i].Instance.InFlight);
        return new PlanInput
        {
            Desired = book.Desired,
            Now = now,
            Instances = instances,
            Routed = revision.IsRouted,
            Deleted = revision.IsDeleted,
            StandbyRequested = revision.WantsFrozenStandby(_options.Standby),
            // An instance of several containers is created whole at its start (see InstanceLauncher.PrecreateAsync).
            PrecreateAtZero = _options.PrecreateAtZero && !Kinlet.Core.Serving.PodLayout.IsMultiContainer(revision.Revision.Spec),
            HasStandby = book.Standby is not null,
            HasPrecreated = book.Precreated is not null,
            Precreating = book.Precreating,
            RestartNotBefore = book.RestartNotBefore,
        };
    }

    /// <summary>The book of a registered revision (created on first sight); null when it is no longer registered.</summary>
    private RevisionBook? BookFor(RevisionState revision)
    {
        if (!ReferenceEquals(registry.Find(revision.Key), revision))
            return _books.TryGetValue(revision.Key, out var gone) && ReferenceEquals(gone.Revision, revision) ? gone : null;
        if (!_books.TryGetValue(revision.Key, out var book) || !ReferenceEquals(book.Revision, revision))
        {
            book = new RevisionBook(revision);
            _books[revision.Key] = book;
        }
        _dirty.Add(book);
        return book;
    }

    private void Track(RevisionBook book, InstanceRecord record, string containerId)
    {
        record.ContainerId = containerId;
        _byContainer[containerId] = (book, record);
        // A sidecar's exit is its instance's: the monitors report it by its own id.
        foreach (var sidecar in record.Sidecars) _byContainer[sidecar.Id] = (book, record);
        _containersChanged = true;
    }

    private void Untrack(InstanceRecord record)
    {
        foreach (var id in record.Sidecars.Select(s => s.Id).Prepend(record.ContainerId))
        {
            if (id is not null && _byContainer.TryGetValue(id, out var entry) && ReferenceEquals(entry.Record, record))
            {
                _byContainer.Remove(id);
                _containersChanged = true;
            }
        }
    }

    /// <summary>Waits (bounded) for starts and stops in progress, at daemon shutdown.</summary>
    public Task DrainWorkAsync(TimeSpan bound) => work.DrainAsync(bound);

    /// <summary>A line for <c>kinlet logs</c> of the instance's service.</summary>
    private void Say(RevisionState revision, string instanceName, string text) =>
        activity.Append(revision.Key.Namespace, revision.ServiceName, revision.Key.Name, instanceName, text);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Starting instance {Instance} of {Revision}")]
    private partial void LogStarting(string revision, string instance);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Stopping instance {Instance} of {Revision} ({InFlight} requests in flight)")]
    private partial void LogStopping(string revision, string instance, int inFlight);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Instance {Instance} of {Revision} exited unexpectedly with code {ExitCode}")]
    private partial void LogCrashed(string revision, string instance, int exitCode);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Replacing instance {Instance} of {Revision}: {Detail}")]
    private partial void LogReplacing(string revision, string instance, string detail);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Freezing instance {Instance} of {Revision} (frozen standby at zero)")]
    private partial void LogFreezing(string revision, string instance);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Unpaused frozen standby {Instance} of {Revision} in {ElapsedMs:0.0} ms")]
    private partial void LogThawed(string revision, string instance, double elapsedMs);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Reconciling {Revision} failed")]
    private partial void LogReconcileError(string revision, Exception exception);
}
