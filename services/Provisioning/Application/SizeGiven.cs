using Aes.Contracts;

namespace Aes.Provisioning.Application;

/// <summary>
/// A VM's size as a request gave it: every class, the classes it named (a flavour names every class), and the field to
/// name when a class's amount is refused further on.
/// </summary>
public sealed record SizeGiven(ResourceVector Size, IReadOnlySet<string> Named, Func<string, string> FieldOf, bool ByFlavour);
