using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Configuration;

namespace Yardmaster.Runtime.Tests.Configuration;

/// <summary>The sections of issue 11 in yard.yaml: <c>store.url</c>, <c>jobs.executor</c>, <c>jobs.slurm</c>, <c>jobs.kubernetes</c>.</summary>
public sealed class ClusterSettingsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_PostgresStore_ReadsUrlPasswordVariableAndLease()
    {
        var store = Load("store:\n  url: postgres://yard@db.internal:5433/yard\n  password_env: YARD_DB_PASSWORD\n  lease: 6s\n").Config!.Store;

        Assert.Equal("postgres://yard@db.internal:5433/yard", store.Url);
        Assert.Equal("YARD_DB_PASSWORD", store.PasswordEnv);
        Assert.Equal(TimeSpan.FromSeconds(6), store.Lease);
        Assert.True(store.IsPostgres);
        Assert.Null(store.Path);
    }

    [Fact]
    public void Load_NoStoreSection_SqliteWithSixSecondLease()
    {
        var store = Load(string.Empty).Config!.Store;

        Assert.False(store.IsPostgres);
        Assert.Equal(TimeSpan.FromSeconds(6), store.Lease);
    }

    [Theory]
    [InlineData("url: mysql://yard@db/yard", "store.url: must start with postgres:// (got 'mysql://yard@db/yard')")]
    [InlineData("url: postgres://yard:hunter2@db/yard", "store.url: holds a password, which would end up in logs")]
    [InlineData("url: postgres://db:5432/yard", "store.url: names no user")]
    [InlineData("url: postgres://yard@db:5432/", "store.url: must name one database after the host")]
    [InlineData("url: postgres://yard@db/yard\n  path: yard.db", "store.url: give store.path (a SQLite file) or store.url (PostgreSQL), not both")]
    [InlineData("password_env: 9LIVES", "store.password_env: '9LIVES' is not an environment variable name")]
    [InlineData("lease: 500ms", "store.lease: must be at least 1s")]
    public void Load_BadStore_ErrorNamesTheField(string body, string expected)
    {
        var errors = Load("store:\n  " + body + "\n").Errors;

        Assert.Contains(errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_BadStoreUrl_PasswordNeverInTheMessage()
    {
        var errors = Load("store:\n  url: 'mysql://yard:hunter2@db/yard'\n").Errors;

        var error = Assert.Single(errors);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("mysql://…@db/yard", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SlurmSection_ReadsEverySetting()
    {
        var jobs = Load("jobs:\n  executor: slurm\n  slurm:\n    partition: gpu\n    account: research\n    qos: normal\n    extra_args: [--exclusive, --constraint=a100]\n    conf: slurm.conf\n    poll: 2s\n    placement: yardmaster\n    queue_limit: 40\n").Config!.Jobs;

        Assert.Equal("slurm", jobs.Executor);
        var slurm = Assert.IsType<SlurmSettings>(jobs.Slurm);
        Assert.Equal(("gpu", "research", "normal"), (slurm.Partition, slurm.Account, slurm.Qos));
        Assert.Equal(["--exclusive", "--constraint=a100"], slurm.ExtraArgs);
        Assert.Equal(_dir.File("slurm.conf"), slurm.Conf);
        Assert.Equal(TimeSpan.FromSeconds(2), slurm.Poll);
        Assert.Equal(("yardmaster", 40), (slurm.Placement, slurm.QueueLimit));
        Assert.Null(jobs.Kubernetes);
    }

    [Fact]
    public void Load_EmptySlurmSection_SlurmPlacesAndQueuesUpToAHundred()
    {
        var slurm = Assert.IsType<SlurmSettings>(Load("jobs:\n  slurm: {}\n").Config!.Jobs.Slurm);

        Assert.Equal(("slurm", 100), (slurm.Placement, slurm.QueueLimit));
    }

    [Fact]
    public void Load_KubernetesSection_ReadsEverySetting()
    {
        var jobs = Load("""
            jobs:
              kubernetes:
                namespace: batch-jobs
                kubeconfig: kube/config
                image: registry.local/tools:1
                image_pull_policy: IfNotPresent
                service_account: yard-runner
                node_selector: { pool: gpu }
                tolerations:
                  - { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }
                ttl_after_finished: 10m
            """).Config!.Jobs;

        var kubernetes = Assert.IsType<KubernetesSettings>(jobs.Kubernetes);
        Assert.Equal("batch-jobs", kubernetes.Namespace);
        Assert.Equal(_dir.File(Path.Combine("kube", "config")), kubernetes.Kubeconfig);
        Assert.Equal("registry.local/tools:1", kubernetes.Image);
        Assert.Equal("IfNotPresent", kubernetes.ImagePullPolicy);
        Assert.Equal("yard-runner", kubernetes.ServiceAccount);
        Assert.Equal("gpu", kubernetes.NodeSelector["pool"]);
        var toleration = Assert.Single(kubernetes.Tolerations);
        Assert.Equal(("nvidia.com/gpu", "Exists", "NoSchedule"), (toleration["key"], toleration["operator"], toleration["effect"]));
        Assert.Equal(TimeSpan.FromMinutes(10), kubernetes.TtlAfterFinished);
        Assert.Equal("local", jobs.Executor);
    }

    [Theory]
    [InlineData("jobs:\n  executor: lsf\n", "jobs.executor: unknown executor 'lsf'; use local | slurm | kubernetes")]
    [InlineData("jobs:\n  executor: slurm\n", "jobs.executor: slurm needs a jobs.slurm section")]
    [InlineData("jobs:\n  executor: kubernetes\n", "jobs.executor: kubernetes needs a jobs.kubernetes section")]
    [InlineData("jobs:\n  slurm: { poll: 0s }\n", "jobs.slurm.poll: must be positive")]
    [InlineData("jobs:\n  slurm: { placement: ledger }\n", "jobs.slurm.placement: 'ledger' is not one of slurm, yardmaster")]
    [InlineData("jobs:\n  slurm: { queue_limit: 0 }\n", "jobs.slurm.queue_limit: must be at least 1, not 0")]
    [InlineData("jobs:\n  slurm: { partiton: gpu }\n", "jobs.slurm.partiton: unknown key 'partiton'; did you mean 'partition'?")]
    [InlineData("jobs:\n  kubernetes: { namespace: Batch_Jobs }\n", "jobs.kubernetes.namespace: 'Batch_Jobs' is not a Kubernetes namespace name")]
    [InlineData("jobs:\n  kubernetes: { image_pull_policy: Sometimes }\n", "jobs.kubernetes.image_pull_policy: unknown policy 'Sometimes'")]
    [InlineData("jobs:\n  kubernetes: { tolerations: [{ key: a, operator: Maybe }] }\n", "jobs.kubernetes.tolerations[0].operator: unknown operator 'Maybe'")]
    [InlineData("jobs:\n  kubernetes: { node_selector: { pool: [a] } }\n", "jobs.kubernetes.node_selector.pool: expected a string; found a sequence")]
    public void Load_BadJobsCluster_ErrorNamesTheField(string yaml, string expected)
    {
        var errors = Load(yaml).Errors;

        Assert.Contains(errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    private ConfigLoadResult Load(string yaml)
    {
        var path = _dir.File("yard.yaml");
        File.WriteAllText(path, yaml);
        return YardConfigLoader.Load(path, _ => null);
    }
}
