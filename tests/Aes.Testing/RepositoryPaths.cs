namespace Aes.Testing;

public static class RepositoryPaths
{
    /// <summary>The repository root: the folder that holds AesMarketplace.slnx.</summary>
    public static string Root { get; } = FindRoot();

    public static string InfraScript => Path.Combine(Root, "deploy", "scripts", "infra.sh");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AesMarketplace.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("AesMarketplace.slnx not found above " + AppContext.BaseDirectory);
    }
}
