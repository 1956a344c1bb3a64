namespace Aes.Provisioning.Application;

/// <summary>The "Provisioning" configuration section.</summary>
public sealed class ProvisioningSettings
{
    public const string Section = "Provisioning";

    /// <summary>How long holds wait for the approval chain before the request expires.</summary>
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromHours(48);
    /// <summary>How often a waiting request is tried again when no event woke it first.</summary>
    public TimeSpan WaitingRetryInterval { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How often the workflow runner looks for due steps when nothing signalled it.</summary>
    public TimeSpan WorkflowPollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a step that failed on an unavailable service waits before it is tried again.</summary>
    public TimeSpan StepRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// How long a runner owns a request's step; renewed as the step saves its progress. After a crash the
    /// step is taken again once the lease has run out.
    /// </summary>
    public TimeSpan StepLease { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// How long one call to a facility may take (an OpenStack call with its own retries included); past it the call fails as
    /// unavailable and the step is tried again. The step's lease is renewed meanwhile, so this may exceed <see cref="StepLease"/>.
    /// </summary>
    public TimeSpan FacilityCallTimeout { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>
    /// How many requests' steps one runner takes at once. A step mostly waits on quota, the facility and
    /// the database, so on PostgreSQL several overlap; SQLite has one writer, so 1 there unless set.
    /// </summary>
    public int? WorkflowConcurrency { get; set; }
    /// <summary>How soon the workflow looks again at a facility's build, resize or removal under way.</summary>
    public TimeSpan FacilityPollInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>A VM not built by then has failed (the facility is stuck): the request fails and compensates.</summary>
    public TimeSpan BuildTimeout { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>How often each facility's APIs are probed for its measured availability.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often each facility's servers are compared with the marketplace's VMs.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often each facility's flavours and images are read again.</summary>
    public TimeSpan CatalogueRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Wakes the workflow runner when a request has a step to take now.</summary>
public sealed class WorkflowSignal : WakeSignal;
