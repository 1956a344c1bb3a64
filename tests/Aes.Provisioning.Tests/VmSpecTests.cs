using Aes.Provisioning.Domain;
using Aes.Contracts;
using Aes.Provisioning.Grpc;
using Aes.ServiceDefaults.Errors;
using V1 = Aes.Contracts.Provisioning.V1;

namespace Aes.Provisioning.Tests;

/// <summary>How a request's VM lines and a resize are read: a flavour or amounts by class, GPUs included, each mistake named by field.</summary>
public sealed class VmSpecTests
{
    private static readonly HashSet<string> Known = ["vcpu", "memory_gib", "storage_gib", "public_ipv4", "gpu_a100_80g", "gpu_l40s"];

    private static V1.VmSpec Spec(params (string Class, long Amount)[] resources)
    {
        var spec = new V1.VmSpec { Image = "debian-12", Count = 2 };
        spec.Resources.AddRange(resources.Select(r => new V1.ResourceAmount { ResourceClass = r.Class, Amount = r.Amount }));
        return spec;
    }

    private static string RefusedField(V1.VmSpec spec) => Assert.Throws<InvalidFieldException>(() => VmSpecs.Lines([spec], Known)).Field;

    [Fact]
    public void A_gpu_flavour_brings_its_gpus_and_a_list_alike_is_accepted()
    {
        var withAddress = Spec(("public_ipv4", 1));
        withAddress.Flavour = "g1.a100";
        var line = Assert.Single(VmSpecs.Lines([withAddress], Known));
        Assert.Equal(ResourceVector.Standard(12, 96, 400, 1).Add(ResourceVector.Of(("gpu_a100_80g", 1))), line.SizePerVm);
        var alike = Spec(("gpu_a100_80g", 1), ("vcpu", 12), ("memory_gib", 96), ("storage_gib", 400));
        alike.Flavour = "g1.a100";
        Assert.Equal(ResourceVector.Of(("gpu_a100_80g", 1)), Assert.Single(VmSpecs.Lines([alike], Known)).SizePerVm.Accelerators());
    }

    [Fact]
    public void A_size_given_by_class_alone_carries_its_gpus_and_its_address()
    {
        var line = Assert.Single(VmSpecs.Lines([Spec(("vcpu", 8), ("memory_gib", 64), ("storage_gib", 100), ("gpu_l40s", 2), ("public_ipv4", 1))], Known));
        Assert.Equal((ResourceVector.Standard(8, 64, 100, 1).Add(ResourceVector.Of(("gpu_l40s", 2))), 2), (line.SizePerVm, line.Count));
        Assert.Equal(ResourceVector.Of(("gpu_l40s", 2)), line.SizePerVm.Accelerators());
    }

    [Fact]
    public void A_flavour_takes_only_its_address_from_the_list_and_no_address_means_none()
    {
        var flavourWithAddress = Spec(("public_ipv4", 1));
        flavourWithAddress.Flavour = "g1.a100";
        Assert.True(Assert.Single(VmSpecs.Lines([flavourWithAddress], Known)).SizePerVm.HasPublicAddress());
        Assert.False(Assert.Single(VmSpecs.Lines([Spec(("vcpu", 2), ("memory_gib", 4), ("storage_gib", 10))], Known)).SizePerVm.HasPublicAddress());
    }

    [Fact]
    public void A_resize_by_list_names_what_it_decides_and_a_flavour_decides_every_class()
    {
        var byList = VmSpecs.Size("", [.. Spec(("vcpu", 4), ("memory_gib", 16), ("storage_gib", 80)).Resources], "", Known);
        Assert.Equal((ResourceVector.Standard(4, 16, 80, 0), false), (byList.Size, byList.ByFlavour));
        Assert.DoesNotContain("gpu_a100_80g", byList.Named);
        Assert.Equal("resources[2].amount", byList.FieldOf("storage_gib"));
        Assert.Equal("resources", byList.FieldOf("gpu_a100_80g"));
        var byFlavour = VmSpecs.Size("s1.large", [], "", Known);
        Assert.Equal((ResourceVector.Standard(4, 16, 200, 0), true, "flavour"), (byFlavour.Size, byFlavour.ByFlavour, byFlavour.FieldOf("vcpu")));
    }

    [Fact]
    public void Each_mistake_is_named_by_its_field()
    {
        Assert.Equal("vms[0].resources[1].resource_class", RefusedField(Spec(("vcpu", 2), ("gpu_nowhere", 1), ("memory_gib", 4), ("storage_gib", 10))));
        Assert.Equal("vms[0].resources[1].resource_class", RefusedField(Spec(("vcpu", 2), ("vcpu", 2))));
        Assert.Equal("vms[0].resources[1].amount", RefusedField(Spec(("vcpu", 2), ("gpu_l40s", 9), ("memory_gib", 4), ("storage_gib", 10))));
        Assert.Equal("vms[0].resources[2].amount", RefusedField(Spec(("vcpu", 2), ("gpu_l40s", 5), ("gpu_a100_80g", 4), ("memory_gib", 4), ("storage_gib", 10))));
        Assert.Equal("vms[0].resources[0].amount", RefusedField(Spec(("vcpu", 200), ("memory_gib", 4), ("storage_gib", 10))));
        Assert.Equal("vms[0].resources[0].amount", RefusedField(Spec(("public_ipv4", 2), ("vcpu", 2), ("memory_gib", 4), ("storage_gib", 10))));
        Assert.Equal("vms[0].resources[0].amount", RefusedField(Spec(("gpu_l40s", -1))));
        Assert.Equal("vms[0].resources", RefusedField(Spec(("vcpu", 2), ("gpu_l40s", 1))));
        Assert.Equal("vms[0].resources", RefusedField(Spec()));
        Assert.Equal("vms[0].resources[1].amount", RefusedField(Spec(("vcpu", 2), ("memory_gib", 0), ("storage_gib", 10))));
        var zeroUnderFlavour = Spec(("vcpu", 0));
        zeroUnderFlavour.Flavour = "s1.small";
        Assert.Equal("vms[0].resources[0].amount", RefusedField(zeroUnderFlavour));
        var notTheFlavour = Spec(("public_ipv4", 1), ("gpu_a100_80g", 2));
        notTheFlavour.Flavour = "g1.a100";
        Assert.Equal("vms[0].resources[1].amount", RefusedField(notTheFlavour));
    }
}
