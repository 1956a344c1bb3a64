using B = Aes.Contracts.Billing.V1;

namespace Aes.Portal.Web;

/// <summary>Documents the browser opens on their own, to print or save: an invoice as billing renders it, a campaign's status.</summary>
public static class DocumentEndpoints
{
    public static WebApplication MapDocuments(this WebApplication app)
    {
        app.MapGet("/factures/{id}/document", async (string id, string? langue, HttpContext http, IConfiguration configuration, SharedGrpcHandler handler) =>
        {
            using var services = new UserClients(() => Task.FromResult(http.User), configuration, handler);
            try
            {
                var document = await (await services.BillingAsync()).RenderInvoiceAsync(new B.RenderInvoiceRequest { InvoiceId = id, Language = langue == "en" ? "en" : "fr" });
                return Results.Content(document.Content, document.ContentType);
            }
            catch (Grpc.Core.RpcException exception)
            {
                return Api.ApiProblems.From(exception);
            }
        }).ExcludeFromDescription(); // a page of the portal, not of the public API
        app.MapGet("/rapatriement/{id}/export.csv", (string id, HttpContext http, IConfiguration configuration, SharedGrpcHandler handler) =>
            CampaignAsync(id, http, configuration, handler, campaign => Results.File(CampaignDocuments.Csv(campaign), "text/csv; charset=utf-8", "campagne.csv")))
            .ExcludeFromDescription();
        app.MapGet("/rapatriement/{id}/rapport", (string id, string? langue, HttpContext http, IConfiguration configuration, SharedGrpcHandler handler) =>
            CampaignAsync(id, http, configuration, handler, campaign => Results.Content(CampaignDocuments.Report(campaign, langue == "en"), "text/html; charset=utf-8")))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> CampaignAsync(string id, HttpContext http, IConfiguration configuration, SharedGrpcHandler handler,
        Func<CampaignDocuments.Campaign, IResult> render)
    {
        using var services = new UserClients(() => Task.FromResult(http.User), configuration, handler);
        try
        {
            return render(await CampaignDocuments.LoadAsync(services, id));
        }
        catch (Grpc.Core.RpcException exception)
        {
            return Api.ApiProblems.From(exception);
        }
    }
}
