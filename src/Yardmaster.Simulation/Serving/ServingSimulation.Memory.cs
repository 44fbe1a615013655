using Yardmaster.Core.Configuration;
using Yardmaster.Core.Serving;

namespace Yardmaster.Simulation.Serving;

/// <summary>
/// The load step and the fit questions, asked device by device. <see cref="ServingPass.Load"/> takes the first device in
/// order where the replica fits as is or after that device's eviction policy frees enough, and
/// <see cref="ServingPass.CanFitNow"/> asks whether it fits on some device: both look at one device at a time, with the
/// replicas on it. So the simulator calls them on each device's own input (its free bytes and its replicas, in the
/// server's order), in device order, and stops where the full call would: the same policy calls with the same requests
/// and the same answers, without building (or scanning, once per device) the list of every replica on every device.
/// A device's fit answer is kept until the device changes. <see cref="ServingSimulation.Verify"/> checks both against
/// the full input.
/// </summary>
internal sealed partial class ServingSimulation
{
    /// <summary><see cref="ServingPass.Load"/> for a new replica of <paramref name="model"/>, for requests of <paramref name="waiting"/> (null: none waits).</summary>
    private LoadPlan PlanLoad(SimModel model, Core.PriorityClass? waiting = null)
    {
        var devices = DevicesOf(model);
        var words = Words(model);
        if (Verify)
        {
            CheckInputs(model);
        }

        if (devices.Length == 0)
        {
            return ServingPass.Load(new LoadInput(model.Memory, null, [], [], words) { Priority = waiting }, EvictionFor, _now);
        }

        // As the full call: the first device where it fits as is or by eviction; else the first where draining frees enough.
        LoadPlan? plan = null;
        LoadPlan? drain = null;
        foreach (var device in devices)
        {
            plan = ServingPass.Load(device.Input(model.Memory, words) with { Model = model.Definition.Name, Priority = waiting }, EvictionFor, _now);
            if (plan.Starts)
            {
                return plan;
            }

            drain ??= plan.Drains.Count > 0 ? plan : null;
        }

        return drain ?? plan!;
    }

    /// <summary><see cref="ServingPass.CanFitNow"/> for a new replica of <paramref name="model"/>.</summary>
    private bool CanFitNow(SimModel model)
    {
        var words = Words(model);
        var fits = false;
        foreach (var device in DevicesOf(model))
        {
            if (device.CanFitNow(model.NeedIndex, model.Memory, words, model.Definition.Name))
            {
                fits = true;
                break;
            }
        }

        if (Verify && fits != ServingPass.CanFitNow(FullLoadInput(model)))
        {
            throw new InvalidOperationException($"CanFitNow({model.Definition.Name}) by device {fits} differs from the full call");
        }

        return fits;
    }

    /// <summary><see cref="ServingPass.FitsSomeBudget"/> for <paramref name="model"/> (whole budgets never change in a run: asked once, on the full input).</summary>
    private bool FitsSomeBudget(SimModel model) => model.FitsSomeBudget ??= ServingPass.FitsSomeBudget(FullLoadInput(model));

    private static string Words(SimModel model) => model.DeviceWords;

    /// <summary>The accounts of the model's kind in the order to try them: "cpu"; or every GPU, by name (ordinal).</summary>
    private SimDevice[] DevicesOf(SimModel model) => model.Definition.Device == DeviceKind.Cpu ? _cpuDevices : _gpuDevices;

    /// <summary>The verify mode: each device's input is the full input's device and its replicas, in order; every count and list kept equals a scan.</summary>
    private void CheckInputs(SimModel model)
    {
        var full = FullLoadInput(model);
        var devices = DevicesOf(model);
        if (!full.Devices.SequenceEqual(devices.Select(d => d.Input(model.Memory, Words(model)).Devices[0])))
        {
            throw new InvalidOperationException("the devices differ from the full input's");
        }

        foreach (var device in devices)
        {
            if (!SimModel.Same(device.Input(model.Memory, Words(model)).Replicas, [.. full.Replicas.Where(r => r.Account == device.Name)]))
            {
                throw new InvalidOperationException($"the replicas on {device.Name} differ from the full input's");
            }
        }

        if (_models.Find(m => !m.Consistent()) is { } wrong)
        {
            throw new InvalidOperationException($"the counts or snapshots kept for {wrong.Definition.Name} differ from a scan");
        }
    }
}
