using Yardmaster.Inference.Kernels;

namespace Yardmaster.Inference.Tests.Kernels;

public class ComputePoolTests
{
    [Fact]
    public async Task Dispose_RightAfterCreation_DoesNotWaitForever()
    {
        // A worker thread that first runs after its pool is already disposed must still see the stop.
        var disposals = Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                new ComputePool(3).Dispose();
            }
        }, TestContext.Current.CancellationToken);

        await disposals.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }
}
