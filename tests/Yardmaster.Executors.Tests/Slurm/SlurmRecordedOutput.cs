namespace Yardmaster.Executors.Tests.Slurm;

/// <summary>
/// Outputs of the Slurm 22.05 commands the executor reads. Those marked recorded were printed by the two-node test
/// cluster; the GPU and unhealthy nodes are written from the format in Slurm's scontrol documentation.
/// </summary>
internal static class SlurmRecordedOutput
{
    /// <summary>Recorded: <c>squeue --noheader --states=all --Format=JobID:|,State:|,exit_code:|,NodeList:|,Reason:|,Name:|</c>.</summary>
    public const string Queue = """
        9|CANCELLED|9|n1|None|yard-stop-kill.efd9b962|
        5|COMPLETED|0|n2|None|yard-directive.938806e5|
        4|FAILED|768|n1|NonZeroExitCode|yard-c1.fail.1.3351c13e|
        14|OUT_OF_MEMORY|253|n1|OutOfMemory|yard-oom.938806e5|
        15|TIMEOUT|15|n1|TimeLimit|yard-timeout.938806e5|
        7|CANCELLED|0||Priority|yard-stop-pending.1|
        16|RUNNING|0|n2|None|yard-long.1|
        17|PENDING|0||BeginTime|yard-later.1|
        18|COMPLETING|0|n1|None|yard-ending.1|
        """;

    /// <summary>Recorded: <c>sacct --noheader --parsable2 --format=JobIDRaw,State,ExitCode,NodeList,Reason,JobName</c> (with steps, as without --allocations).</summary>
    public const string Accounting = """
        9|CANCELLED by 0|0:0|n1|None|yard-stop-kill.efd9b962
        9.batch|CANCELLED|0:9|n1||batch
        2|FAILED|3:0|n1|None|yard-c1.fail.1.91fff3eb
        2.batch|FAILED|3:0|n1||batch
        14|OUT_OF_MEMORY|0:125|n1|None|yard-oom.938806e5
        15|TIMEOUT|0:0|n1|None|yard-timeout.938806e5
        5|FAILED|0:10|n2|None|wrap
        7|CANCELLED by 0|0:0|None assigned|None|yard-stop-pending.1
        """;

    /// <summary>Recorded: <c>scontrol show nodes --oneliner</c> of the test cluster.</summary>
    public const string TwoNodes = """
        NodeName=n1 Arch=x86_64 CoresPerSocket=1  CPUAlloc=0 CPUEfctv=2 CPUTot=2 CPULoad=3.93 AvailableFeatures=(null) ActiveFeatures=(null) Gres=(null) NodeAddr=127.0.0.1 NodeHostName=localhost Port=16821 Version=22.05.8 OS=Linux 6.18.44-fc-v1272 #1 SMP PREEMPT_DYNAMIC @0  RealMemory=4000 AllocMem=0 FreeMem=20885 Sockets=2 Boards=1 State=IDLE ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=main  BootTime=2026-12-04T23:37:18 SlurmdStartTime=2026-12-05T05:00:02 LastBusyTime=2026-12-05T05:01:53 CfgTRES=cpu=2,mem=4000M,billing=2 AllocTRES= CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s
        NodeName=n2 Arch=x86_64 CoresPerSocket=1  CPUAlloc=1 CPUEfctv=2 CPUTot=2 CPULoad=3.93 AvailableFeatures=(null) ActiveFeatures=(null) Gres=(null) NodeAddr=127.0.0.1 NodeHostName=localhost Port=16822 Version=22.05.8 OS=Linux 6.18.44-fc-v1272 #1 SMP PREEMPT_DYNAMIC @0  RealMemory=4000 AllocMem=100 FreeMem=20885 Sockets=2 Boards=1 State=MIXED ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=main  BootTime=2026-12-04T23:37:18 SlurmdStartTime=2026-12-05T05:00:02 LastBusyTime=2026-12-05T05:00:03 CfgTRES=cpu=2,mem=4000M,billing=2 AllocTRES=cpu=1,mem=100M CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s
        """;

    /// <summary>Written from the documented format: a GPU node with typed GRES and socket binding, in two partitions.</summary>
    public const string GpuNode = """
        NodeName=gpu01 Arch=x86_64 CoresPerSocket=32 CPUAlloc=16 CPUEfctv=126 CPUTot=128 CPULoad=12.50 AvailableFeatures=a100,ib ActiveFeatures=a100,ib Gres=gpu:a100:4(S:0-1) NodeAddr=10.1.0.11 NodeHostName=gpu01 Version=22.05.8 OS=Linux 5.15.0-91-generic #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023 RealMemory=1031000 AllocMem=262144 FreeMem=900123 Sockets=2 Boards=1 CoreSpecCount=1 CPUSpecList=0-1 State=MIXED ThreadsPerCore=2 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=gpu,all BootTime=2026-11-30T08:00:00 SlurmdStartTime=2026-11-30T08:01:00 LastBusyTime=2026-12-05T04:00:00 CfgTRES=cpu=128,mem=1031000M,billing=128,gres/gpu=4 AllocTRES=cpu=16,mem=256G,gres/gpu=1 CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s
        """;

    /// <summary>Written from the documented format: a drained node with a reason, and one that stopped responding.</summary>
    public const string UnhealthyNodes = """
        NodeName=cpu07 Arch=x86_64 CoresPerSocket=16 CPUAlloc=0 CPUEfctv=32 CPUTot=32 CPULoad=0.01 AvailableFeatures=(null) ActiveFeatures=(null) Gres=(null) NodeAddr=cpu07 NodeHostName=cpu07 Version=22.05.8 OS=Linux 5.15.0 #1 SMP RealMemory=191000 AllocMem=0 FreeMem=190000 Sockets=2 Boards=1 State=IDLE+DRAIN ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=all BootTime=None SlurmdStartTime=None LastBusyTime=2026-12-01T10:00:00 CfgTRES=cpu=32,mem=191000M,billing=32 AllocTRES= CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s Reason=bad dimm, see ticket=4711 [root@2026-12-01T10:00:00]
        NodeName=cpu08 Arch=x86_64 CoresPerSocket=16 CPUAlloc=0 CPUEfctv=32 CPUTot=32 CPULoad=N/A AvailableFeatures=(null) ActiveFeatures=(null) Gres=gpu:tesla:2,gpu:k80:2(S:0),mps:200 NodeAddr=cpu08 NodeHostName=cpu08 Version=22.05.8 RealMemory=191000 AllocMem=0 FreeMem=N/A Sockets=2 Boards=1 State=DOWN*+NOT_RESPONDING ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=all BootTime=None SlurmdStartTime=None LastBusyTime=2026-12-01T10:00:00 CfgTRES=cpu=32,mem=191000M,billing=32 AllocTRES= CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s Reason=Not responding [slurm@2026-12-04T22:00:00]
        """;

    /// <summary>Recorded: <c>scontrol show partitions --oneliner</c> of the test cluster, with a second partition written in the same format.</summary>
    public const string Partitions = """
        PartitionName=debug AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL AllocNodes=ALL Default=NO QoS=N/A DefaultTime=NONE DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO MaxNodes=UNLIMITED MaxTime=01:00:00 MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED Nodes=n1 PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO OverTimeLimit=NONE PreemptMode=OFF State=UP TotalCPUs=2 TotalNodes=1 SelectTypeParameters=NONE JobDefaults=(null) DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED
        PartitionName=main AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL AllocNodes=ALL Default=YES QoS=N/A DefaultTime=NONE DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO MaxNodes=UNLIMITED MaxTime=UNLIMITED MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED Nodes=n[1-2] PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO OverTimeLimit=NONE PreemptMode=OFF State=UP TotalCPUs=4 TotalNodes=2 SelectTypeParameters=NONE JobDefaults=(null) DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED TRES=cpu=4,mem=8000M,node=2,billing=4
        """;
}
