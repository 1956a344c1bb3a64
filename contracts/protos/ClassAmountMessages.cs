// Compiled beside the protos by the clients that read amounts of several services (portal, aes): one reader for all.
namespace Aes.Contracts.Tenancy.V1
{
    public sealed partial class ResourceAmount : ByClass.IClassAmount;
}

namespace Aes.Contracts.Provisioning.V1
{
    public sealed partial class ResourceAmount : ByClass.IClassAmount;
}

namespace Aes.Contracts.Quota.V1
{
    public sealed partial class ResourceAmount : ByClass.IClassAmount;
}

namespace Aes.Contracts.Billing.V1
{
    public sealed partial class ResourceAmount : ByClass.IClassAmount;
}
