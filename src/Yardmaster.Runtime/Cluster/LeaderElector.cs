using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Yardmaster.Core.Cluster;

namespace Yardmaster.Runtime.Cluster;

/// <summary>
/// Keeps this instance's heartbeat in the shared store and competes for the scheduler's lease: every third of the lease
/// it takes or renews it. On winning it calls <c>lead</c> with the fence of its epoch (the caller starts the job
/// scheduler, its writes fenced); on losing it (another holder, or no renewal for a whole lease because the store did not
/// answer) it calls <c>stepDown</c> first thing, so a deposed leader stops before another can have started. A clean
/// shutdown resigns the lease, so a follower takes over at its next tick instead of after the lease. Leading may take
/// longer than the lease (the scheduler re-attaches to every running step first): the lease is renewed meanwhile, and a
/// lead still starting when the lease is lost is cancelled and stepped down from.
/// </summary>
/// <remarks>Thread-safe; the callbacks never overlap: <c>stepDown</c> runs only once a <c>lead</c> has finished.</remarks>
public sealed partial class LeaderElector : IAsyncDisposable
{
    private readonly IClusterStore _store;
    private readonly string _instanceId;
    private readonly Func<string> _url;
    private readonly TimeSpan _lease;
    private readonly Func<LeaseFence, CancellationToken, Task> _lead;
    private readonly Func<Task> _stepDown;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private LeaseFence? _fence;
    private Opening? _opening;
    private DateTimeOffset _renewedAt;
    private int _disposed;

    /// <summary>Creates the elector; <see cref="Start"/> begins competing.</summary>
    /// <param name="store">The shared store.</param>
    /// <param name="instanceId">This instance, unique per process start.</param>
    /// <param name="url">Where this instance's API answers (read at each heartbeat: known once it listens).</param>
    /// <param name="lease">How long a lease lasts unrenewed (<c>store.lease</c>).</param>
    /// <param name="lead">Called on winning, with the fence of the epoch won.</param>
    /// <param name="stepDown">Called on losing the lease (or at disposal while leading).</param>
    /// <param name="time">The clock of the renewal timer.</param>
    /// <param name="log">Elections are logged at information level.</param>
    public LeaderElector(IClusterStore store, string instanceId, Func<string> url, TimeSpan lease, Func<LeaseFence, CancellationToken, Task> lead, Func<Task> stepDown, TimeProvider time, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(lead);
        ArgumentNullException.ThrowIfNull(stepDown);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _instanceId = instanceId;
        _url = url;
        _lease = lease;
        _lead = lead;
        _stepDown = stepDown;
        _time = time;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>This instance's id.</summary>
    public string InstanceId => _instanceId;

    /// <summary>The fence of the lease this instance holds; null while it follows.</summary>
    public LeaseFence? Fence => Volatile.Read(ref _fence);

    /// <summary>True while this instance leads.</summary>
    public bool IsLeader => Fence is not null;

    /// <summary>How often the lease is renewed: a third of it, so two renewals may fail before it lapses.</summary>
    public TimeSpan Tick => _lease / 3;

    /// <summary>Begins competing (the first attempt at once).</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>One round: heartbeat, take or renew, and lead or step down. Public for tests that drive rounds themselves.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var url = _url();
        try
        {
            await _store.HeartbeatAsync(_instanceId, url, cancellationToken).ConfigureAwait(false);
            var lease = await _store.TryLeadAsync(_instanceId, url, _lease, cancellationToken).ConfigureAwait(false);
            if (lease.HolderId == _instanceId)
            {
                _renewedAt = _time.GetUtcNow();
                var moved = $"the lease moved to epoch {lease.Epoch}";
                if (_opening is { } stale && stale.Fence.Epoch != lease.Epoch)
                {
                    await AbandonAsync(moved).ConfigureAwait(false);
                }

                if (_fence is { } held && held.Epoch != lease.Epoch)
                {
                    await StepDownAsync(moved).ConfigureAwait(false);
                }

                if (_fence is null && _opening is null)
                {
                    var fence = new LeaseFence(_instanceId, lease.Epoch);
                    Log.Elected(_log, _instanceId, lease.Epoch);
                    var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    _opening = new Opening(fence, Task.Run(() => _lead(fence, cancel.Token), CancellationToken.None), cancel);
                }

                if (_opening is { } opening)
                {
                    await FinishOpeningAsync(opening, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                var taken = $"instance {lease.HolderId} holds the lease at epoch {lease.Epoch}";
                if (_opening is not null)
                {
                    await AbandonAsync(taken).ConfigureAwait(false);
                }

                if (_fence is not null)
                {
                    await StepDownAsync(taken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.RoundFailed(_log, e.Message);
            // Unrenewed for a whole lease, it may have passed to another instance: stop writing before that one starts.
            if (_time.GetUtcNow() - _renewedAt >= _lease - Tick)
            {
                const string Silent = "the store did not answer for most of a lease";
                if (_opening is not null)
                {
                    await AbandonAsync(Silent).ConfigureAwait(false);
                }

                if (_fence is not null)
                {
                    await StepDownAsync(Silent).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Waits up to a tick for the lead being started: done, this instance leads; failed, the lease is resigned (holding it
    /// without leading would stall every other instance) and the failure thrown; still starting, the next tick renews the
    /// lease and looks again.
    /// </summary>
    private async Task FinishOpeningAsync(Opening opening, CancellationToken cancellationToken)
    {
        await Task.WhenAny(opening.Lead, Task.Delay(Tick, _time, cancellationToken)).ConfigureAwait(false);
        if (!opening.Lead.IsCompleted)
        {
            if (!opening.Logged)
            {
                opening.Logged = true;
                Log.StillStarting(_log, _instanceId, opening.Fence.Epoch);
            }

            return;
        }

        _opening = null;
        opening.Cancel.Dispose();
        try
        {
            await opening.Lead.ConfigureAwait(false);
        }
        catch
        {
            await _store.ResignAsync(opening.Fence.HolderId, opening.Fence.Epoch, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        Volatile.Write(ref _fence, opening.Fence);
    }

    /// <summary>Gives up a lead still starting when the lease is lost: cancels it, waits for its end, then steps down (undoing what it opened).</summary>
    private async Task AbandonAsync(string reason)
    {
        var opening = _opening!;
        _opening = null;
        Log.SteppedDown(_log, _instanceId, opening.Fence.Epoch, reason + " (while the job scheduler was still starting)");
        await opening.Cancel.CancelAsync().ConfigureAwait(false);
        await opening.Lead.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // cancelled, failed or done: over either way
        opening.Cancel.Dispose();
        await _stepDown().ConfigureAwait(false);
    }

    /// <summary>Stops competing; while leading, steps down and resigns the lease so a follower takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_opening is { } opening)
        {
            await AbandonAsync("shutting down").ConfigureAwait(false);
            await ResignAsync(opening.Fence).ConfigureAwait(false);
        }

        if (_fence is { } fence)
        {
            await StepDownAsync("shutting down").ConfigureAwait(false);
            await ResignAsync(fence).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task ResignAsync(LeaseFence fence)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _store.ResignAsync(fence.HolderId, fence.Epoch, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.RoundFailed(_log, "could not resign the lease (it lapses by itself): " + e.Message);
        }
    }

    private async Task StepDownAsync(string reason)
    {
        var fence = _fence;
        Volatile.Write(ref _fence, null);
        if (fence is not null)
        {
            Log.SteppedDown(_log, _instanceId, fence.Epoch, reason);
        }

        await _stepDown().ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await TickAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Tick, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Instance {Instance} leads the job scheduler (lease epoch {Epoch})")]
        public static partial void Elected(ILogger logger, string instance, long epoch);

        [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Instance {Instance} stepped down from epoch {Epoch}: {Reason}")]
        public static partial void SteppedDown(ILogger logger, string instance, long epoch, string reason);

        [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Leader election round failed (will try again): {Reason}")]
        public static partial void RoundFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Instance {Instance} holds the lease (epoch {Epoch}) and is still starting the job scheduler (re-attaching to running steps); renewing the lease meanwhile")]
        public static partial void StillStarting(ILogger logger, string instance, long epoch);
    }

    /// <summary>A lead being started: its fence, the <c>lead</c> callback's task, and what cancels it.</summary>
    private sealed class Opening(LeaseFence fence, Task lead, CancellationTokenSource cancel)
    {
        public LeaseFence Fence { get; } = fence;

        public Task Lead { get; } = lead;

        public CancellationTokenSource Cancel { get; } = cancel;

        public bool Logged { get; set; }
    }
}
