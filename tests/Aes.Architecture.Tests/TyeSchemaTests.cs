using Aes.Architecture.Tests.Manifests;
using Aes.Testing;

namespace Aes.Architecture.Tests;

/// <summary>tye.yaml follows Tye's schema: the keys, types and required fields it states.</summary>
public sealed class TyeSchemaTests
{
    [Fact]
    public void Tye_yaml_is_valid_against_the_schema()
    {
        var document = Yaml.LoadAll(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tye.yaml"))).Single();

        Assert.Empty(TyeSchema.Validate(document));
    }

    [Fact]
    public void Tye_yaml_says_what_it_documents()
    {
        var header = string.Concat(File.ReadLines(Path.Combine(RepositoryPaths.Root, "tye.yaml")).TakeWhile(line => line.StartsWith('#')));

        Assert.Contains("archived", header);
        Assert.Contains("dotnet run --project deploy/Aes.Embedded -- --distributed", header);
    }

    [Fact]
    public void A_broken_file_is_reported_field_by_field()
    {
        const string broken = """
            name: broken
            colour: blue
            services:
            - project: services/Quota/Aes.Quota.csproj
            - name: two-kinds
              project: services/Quota/Aes.Quota.csproj
              image: quota:latest
            - name: quota
              project: services/Quota/Aes.Quota.csproj
              replica: 2
              bindings:
              - name: http
                port: http-port
                autoAssignPort: yes please
              env:
              - name: Seed__Demo
              - name: Count
                value: 3
            - name: rabbitmq
              external: false
            - name: quota
              image: quota:latest
            """;

        var errors = TyeSchema.Validate(Yaml.LoadAll(broken).Single());

        Assert.Equal(
        [
            "$.colour: is not allowed here",
            "$.services[0].name: required",
            "$.services[1]: must be exactly one of project, image, dockerFile, executable, azureFunction, external, repository, include; has project, image",
            "$.services[2].replica: is not allowed here",
            "$.services[2].env[0].value: required",
            "$.services[2].env[1].value: must be a string",
            "$.services[2].bindings[0].port: must be an integer",
            "$.services[2].bindings[0].autoAssignPort: must be a boolean",
            "$.services[3].external: must be true",
            "$.services: the name quota is used 2 times (it must be unique)",
        ], errors);
    }

    [Fact]
    public void A_file_without_services_is_reported()
    {
        Assert.Equal(["$.services: required"], TyeSchema.Validate(Yaml.LoadAll("name: empty").Single()));
        Assert.Equal(["$.services: needs at least 1 item(s)"], TyeSchema.Validate(Yaml.LoadAll("services: []").Single()));
    }
}
