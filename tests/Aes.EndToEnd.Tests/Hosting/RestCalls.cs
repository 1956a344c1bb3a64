using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>Calls to the public REST API (/api/v1) as a user, every answer held to the OpenAPI document, and its problem answers checked.</summary>
public static class RestCalls
{
    public static async Task<HttpClient> ApiAsAsync(ProvisioningMarketplace m, string? userName)
    {
        var http = OpenApiConformance.Client(m.PortalAddress);
        if (userName is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await m.TokenOfAsync(userName));
        }
        return http;
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null,
        string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>A problem+json answer with that status, its detail in French and in English, naming <paramref name="field"/> when given.</summary>
    public static void AssertProblem(HttpStatusCode status, (HttpResponseMessage Response, JsonElement Body) answer, string? field = null)
    {
        Assert.Equal(status, answer.Response.StatusCode);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(answer.Body.GetProperty("detailFr").GetString()));
        Assert.False(string.IsNullOrEmpty(answer.Body.GetProperty("detailEn").GetString()));
        Assert.NotEqual(answer.Body.GetProperty("detailFr").GetString(), answer.Body.GetProperty("detailEn").GetString());
        if (field is not null)
        {
            Assert.Equal(field, answer.Body.GetProperty("field").GetString());
        }
    }
}
