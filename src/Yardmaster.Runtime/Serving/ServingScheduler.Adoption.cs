namespace Yardmaster.Runtime.Serving;

public sealed partial class ServingScheduler
{
    /// <summary>
    /// Takes over the replicas of <paramref name="model"/> (just added) that the launcher finds still running from an
    /// earlier server, at most <c>replicas.max</c>: each becomes a loading replica under its own number, whose load is the
    /// launcher taking it over (waiting until it answers). They count toward <c>replicas.min</c> like any load, so none is
    /// started beside them; one that does not answer fails as a load does, and the minimum is restored with a new one.
    /// Called under the lock, before the minimums are ensured.
    /// </summary>
    private void AdoptRunning(ModelEntry model)
    {
        var now = _time.GetUtcNow();
        foreach (var number in _launcher.ClaimRunning(model.Definition, model.Definition.ReplicasMax))
        {
            // Replicas adopted hold nothing on this machine's devices beyond their estimate, charged as for a load (no eviction).
            if (model.Replicas.Any(r => r.Number == number) || _ledger.Devices(LocalDevice(model.Definition)).FirstOrDefault() is not { } device)
            {
                continue;
            }

            var replica = new Replica(model, number, device) { Memory = model.MemoryEstimate, LastUsed = now, LoadStarted = now };
            Log.Adopting(_log, model.Definition.Name, number);
            model.Replicas.Add(replica);
            NoteLoad(model, replica);
            _ledger.Charge(device, replica.Memory);
            Track(Task.Run(() => LoadAsync(replica, model.Definition, [])));
        }
    }
}
