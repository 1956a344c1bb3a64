using Aes.Billing.Application;
using Aes.Billing.Domain;
using Aes.Contracts;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Aes.Contracts.Billing.V1;
using Aes.ServiceDefaults.Paging;

namespace Aes.Billing.Grpc;

public sealed class BillingGrpcService(
    BillingDbContext db, BillingAccess access, BillingClasses classes, Catalogues catalogues, Invoicing invoicing, Settlements settlements, LedgerAudit audit)
    : V1.BillingService.BillingServiceBase
{
    public override async Task<V1.ListAccountsResponse> ListAccounts(V1.ListAccountsRequest request, ServerCallContext context)
    {
        var query = db.Accounts.AsNoTracking();
        if (Validate.OptionalStateCode(request.StateCode, "state_code") is { } state)
        {
            query = query.Where(a => a.StateCode == state);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 3);
        if (!page.IsFirst)
        {
            var (afterState, afterName, afterId) = (page.Text(0), page.Text(1), page.Guid(2));
            query = query.Where(a => string.Compare(a.StateCode, afterState) > 0
                || (a.StateCode == afterState && (string.Compare(a.AgencyName, afterName) > 0 || (a.AgencyName == afterName && a.AgencyId.CompareTo(afterId) > 0))));
        }
        var (accounts, next) = page.Cut(
            await query.OrderBy(a => a.StateCode).ThenBy(a => a.AgencyName).ThenBy(a => a.AgencyId).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            a => [a.StateCode, a.AgencyName, a.AgencyId]);
        return new V1.ListAccountsResponse
        {
            NextPageToken = next,
            Accounts =
            {
                accounts.Select(a => new V1.BillingAccount
                {
                    AgencyId = a.AgencyId.ToString(), StateCode = a.StateCode, AgencyName = a.AgencyName, Currency = a.Currency,
                }),
            },
        };
    }

    public override async Task<V1.PriceCatalogue> SetPriceCatalogue(V1.SetPriceCatalogueRequest request, ServerCallContext context)
    {
        var change = new CatalogueChange(
            Validate.Id(request.ActorUserId, "actor_user_id"),
            Validate.Id(request.FacilityId, "facility_id"),
            Validate.OptionalInstant(request.EffectiveFrom, "effective_from") ?? throw new InvalidFieldException("effective_from", new("est obligatoire.", "is required.")),
            Validate.OptionalInstant(request.EffectiveUntil, "effective_until"),
            await PricesOfAsync(request, context.CancellationToken),
            string.IsNullOrWhiteSpace(request.Currency) ? "XOF" : request.Currency.Trim().ToUpperInvariant());
        var catalogue = await catalogues.SetAsync(change, context.CancellationToken);
        var code = await db.Facilities.Where(f => f.Id == catalogue.FacilityId).Select(f => f.Code).FirstAsync(context.CancellationToken);
        return ToMessage(catalogue, code);
    }

    public override async Task<V1.ListPriceCataloguesResponse> ListPriceCatalogues(V1.ListPriceCataloguesRequest request, ServerCallContext context)
    {
        var facilityId = Validate.Id(request.FacilityId, "facility_id");
        var facility = await db.Facilities.AsNoTracking().FirstOrDefaultAsync(f => f.Id == facilityId, context.CancellationToken)
            ?? throw new NotFoundException("Site / facility", request.FacilityId);
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        var query = db.Catalogues.AsNoTracking().Where(c => c.FacilityId == facilityId);
        if (!page.IsFirst)
        {
            var (from, id) = (page.Time(0), page.Guid(1));
            query = query.Where(c => c.EffectiveFrom > from || (c.EffectiveFrom == from && c.Id.CompareTo(id) > 0));
        }
        var (list, next) = page.Cut(await query.OrderBy(c => c.EffectiveFrom).ThenBy(c => c.Id).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            c => [c.EffectiveFrom, c.Id]);
        return new V1.ListPriceCataloguesResponse { Catalogues = { list.Select(c => ToMessage(c, facility.Code)) }, NextPageToken = next };
    }

    public override async Task<V1.ListUsageResponse> ListUsage(V1.ListUsageRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == agencyId, context.CancellationToken)
            ?? throw new NotFoundException("Organisme / agency", request.AgencyId);
        await access.RequireReaderAsync(actor, agencyId, account.StateCode, context.CancellationToken);
        var period = await invoicing.PeriodAsync(account.StateCode, request.Month, context.CancellationToken);
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        var query = db.Segments.AsNoTracking().Where(s => s.AgencyId == agencyId && s.From < period.Until && (s.Until == null || s.Until > period.From));
        if (!page.IsFirst)
        {
            var (from, id) = (page.Time(0), page.Guid(1));
            query = query.Where(s => s.From > from || (s.From == from && s.Id.CompareTo(id) > 0));
        }
        var (segments, next) = page.Cut(await query.OrderBy(s => s.From).ThenBy(s => s.Id).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            s => [s.From, s.Id]);
        return new V1.ListUsageResponse
        {
            NextPageToken = next,
            Periods =
            {
                segments.Select(s => new V1.UsagePeriod
                {
                    Id = s.Id.ToString(), VmId = s.VmId.ToString(), FacilityId = s.FacilityId.ToString(), FacilityStateCode = s.FacilityStateCode,
                    From = Timestamp.FromDateTime(s.From), Until = s.Until is { } until ? Timestamp.FromDateTime(until) : null,
                    Resources =
                    {
                        s.Size.NonZero().InDisplayOrder(a => a.Class).Select(a => new V1.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount }),
                    },
                }),
            },
        };
    }

    public override async Task<V1.Invoice> DraftInvoice(V1.DraftInvoiceRequest request, ServerCallContext context) =>
        await ToMessageAsync(invoicing.DraftAsync(
            Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.AgencyId, "agency_id"), request.Month, context.CancellationToken), context.CancellationToken);

    public override async Task<V1.DraftInvoicesResponse> DraftInvoices(V1.DraftInvoicesRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var state = Validate.OptionalStateCode(request.StateCode, "state_code");
        BillingMonth.Require(request.Month);
        var (drafted, lines, total) = await invoicing.DraftAllAsync(actor, request.Month, state, context.CancellationToken);
        return new V1.DraftInvoicesResponse { Drafted = drafted, Lines = lines, TotalXof = total };
    }

    public override async Task<V1.Invoice> GetInvoice(V1.GetInvoiceRequest request, ServerCallContext context) =>
        await ToMessageAsync(ReadableInvoiceAsync(request.ActorUserId, request.InvoiceId, context.CancellationToken), context.CancellationToken);

    public override async Task<V1.ListInvoicesResponse> ListInvoices(V1.ListInvoicesRequest request, ServerCallContext context)
    {
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        var query = await ReadableInvoicesAsync(request.ActorUserId, request.AgencyId, request.StateCode, request.Month, context.CancellationToken);
        if (!page.IsFirst)
        {
            var (month, id) = (page.Text(0), page.Guid(1));
            query = query.Where(i => string.Compare(i.Month, month) > 0 || (i.Month == month && i.Id.CompareTo(id) > 0));
        }
        var fetched = await query.OrderBy(i => i.Month).ThenBy(i => i.Id).Take(page.Size + 1).ToListAsync(context.CancellationToken);
        var (invoices, next) = page.Cut(fetched, i => [i.Month, i.Id]);
        return new V1.ListInvoicesResponse { Invoices = { invoices.Select(i => ToMessage(i, classes: null)) }, NextPageToken = next };
    }

    public override async Task<V1.Invoice> IssueInvoice(V1.InvoiceActionRequest request, ServerCallContext context) =>
        await ToMessageAsync(invoicing.IssueAsync(
            Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.InvoiceId, "invoice_id"), context.CancellationToken), context.CancellationToken);

    public override async Task<V1.Invoice> PayInvoice(V1.InvoiceActionRequest request, ServerCallContext context) =>
        await ToMessageAsync(invoicing.PayAsync(
            Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.InvoiceId, "invoice_id"), context.CancellationToken), context.CancellationToken);

    public override async Task<V1.Invoice> CancelInvoice(V1.CancelInvoiceRequest request, ServerCallContext context) =>
        await ToMessageAsync(invoicing.CancelAsync(
            Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.InvoiceId, "invoice_id"),
            Validate.Name(request.Reason, "reason", 500), context.CancellationToken), context.CancellationToken);

    public override async Task<V1.Invoice> IssueCreditNote(V1.IssueCreditNoteRequest request, ServerCallContext context) =>
        await ToMessageAsync(invoicing.CreditAsync(
            Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.InvoiceId, "invoice_id"), request.AmountXof,
            Validate.Name(request.Reason, "reason", 500), context.CancellationToken), context.CancellationToken);

    public override async Task<V1.Document> ExportInvoices(V1.ExportInvoicesRequest request, ServerCallContext context)
    {
        BillingMonth.Require(request.Month);
        var invoices = await (await ReadableInvoicesAsync(request.ActorUserId, "", request.StateCode, request.Month, context.CancellationToken))
            .OrderBy(i => i.Month).ThenBy(i => i.StateCode).ThenBy(i => i.AgencyName).ToListAsync(context.CancellationToken);
        var ids = invoices.Select(i => i.Id).ToList();
        var lines = (await db.InvoiceLines.AsNoTracking().Where(l => ids.Contains(l.InvoiceId)).ToListAsync(context.CancellationToken))
            .ToLookup(l => l.InvoiceId);
        foreach (var invoice in invoices)
        {
            invoice.Lines.AddRange(lines[invoice.Id].InReadingOrder());
        }
        var state = string.IsNullOrWhiteSpace(request.StateCode) ? "AES" : request.StateCode.Trim().ToUpperInvariant();
        return new V1.Document { ContentType = "text/csv; charset=utf-8", FileName = $"factures-{state}-{request.Month}.csv", Content = InvoiceDocuments.Csv(invoices, await classes.AllAsync(context.CancellationToken)) };
    }

    public override async Task<V1.Document> RenderInvoice(V1.RenderInvoiceRequest request, ServerCallContext context)
    {
        var language = string.IsNullOrWhiteSpace(request.Language) ? "fr" : request.Language.Trim().ToLowerInvariant();
        if (language is not ("fr" or "en"))
        {
            throw new InvalidFieldException("language", new("doit être « fr » ou « en ».", "must be \"fr\" or \"en\"."));
        }
        var invoice = await ReadableInvoiceAsync(request.ActorUserId, request.InvoiceId, context.CancellationToken);
        return new V1.Document
        {
            ContentType = "text/html; charset=utf-8", FileName = $"{invoice.Number ?? invoice.Id.ToString()}.{language}.html",
            Content = InvoiceDocuments.Html(invoice, language == "fr", await classes.AllAsync(context.CancellationToken)),
        };
    }

    public override async Task<V1.Settlement> CloseSettlement(V1.CloseSettlementRequest request, ServerCallContext context) =>
        ToMessage(await settlements.CloseAsync(Validate.Id(request.ActorUserId, "actor_user_id"), request.Month, context.CancellationToken));

    public override async Task<V1.Settlement> GetSettlement(V1.GetSettlementRequest request, ServerCallContext context) =>
        ToMessage(await settlements.GetAsync(Validate.Id(request.ActorUserId, "actor_user_id"), request.Month, context.CancellationToken));

    public override async Task<V1.LedgerAudit> AuditLedger(V1.AuditLedgerRequest request, ServerCallContext context)
    {
        await access.RequireStateLevelAsync(Validate.Id(request.ActorUserId, "actor_user_id"), context.CancellationToken);
        var report = await audit.RunAsync(context.CancellationToken);
        return new V1.LedgerAudit
        {
            Balanced = report.Balanced, TotalDebitXof = report.TotalDebitXof, TotalCreditXof = report.TotalCreditXof, Entries = report.Entries,
            InvoiceLinesChecked = report.InvoiceLinesChecked, StatementsChecked = report.StatementsChecked, Problems = { report.Problems },
        };
    }

    public override async Task<V1.ListLedgerBalancesResponse> ListLedgerBalances(V1.ListLedgerBalancesRequest request, ServerCallContext context)
    {
        await access.RequireStateLevelAsync(Validate.Id(request.ActorUserId, "actor_user_id"), context.CancellationToken);
        var prefix = request.Prefix ?? "";
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 1);
        var lines = db.JournalLines.AsNoTracking().Where(l => l.Account.StartsWith(prefix));
        if (!page.IsFirst)
        {
            var after = page.Text(0);
            lines = lines.Where(l => string.Compare(l.Account, after) > 0);
        }
        var (balances, next) = page.Cut(await lines.GroupBy(l => l.Account).Select(g => new { Account = g.Key, Balance = g.Sum(l => l.DebitXof) - g.Sum(l => l.CreditXof) })
            .OrderBy(b => b.Account).Take(page.Size + 1).ToListAsync(context.CancellationToken), b => [b.Account]);
        return new V1.ListLedgerBalancesResponse
        {
            Balances = { balances.Select(b => new V1.LedgerBalance { Account = b.Account, BalanceXof = b.Balance }) },
            NextPageToken = next,
        };
    }

    private async Task<Invoice> ReadableInvoiceAsync(string actorUserId, string invoiceId, CancellationToken cancellationToken)
    {
        var actor = Validate.Id(actorUserId, "actor_user_id");
        var invoice = await invoicing.LoadAsync(Validate.Id(invoiceId, "invoice_id"), cancellationToken);
        await access.RequireReaderAsync(actor, invoice.AgencyId, invoice.StateCode, cancellationToken);
        return invoice;
    }

    private async Task<IQueryable<Invoice>> ReadableInvoicesAsync(string actorUserId, string agencyId, string stateCode, string month, CancellationToken cancellationToken)
    {
        var actor = Validate.Id(actorUserId, "actor_user_id");
        var agency = Validate.OptionalId(agencyId, "agency_id");
        var state = Validate.OptionalStateCode(stateCode, "state_code");
        if (!string.IsNullOrEmpty(month))
        {
            BillingMonth.Require(month);
        }
        var (all, states, agencies) = await access.ScopeAsync(actor, cancellationToken);
        var query = db.Invoices.AsNoTracking();
        if (!all)
        {
            query = query.Where(i => states.Contains(i.StateCode) || agencies.Contains(i.AgencyId));
        }
        if (agency is { } agencyFilter)
        {
            query = query.Where(i => i.AgencyId == agencyFilter);
        }
        if (state is not null)
        {
            query = query.Where(i => i.StateCode == state);
        }
        if (!string.IsNullOrEmpty(month))
        {
            query = query.Where(i => i.Month == month);
        }
        return query;
    }


    private static V1.PriceCatalogue ToMessage(PriceCatalogue catalogue, string facilityCode) => new()
    {
        Id = catalogue.Id.ToString(), FacilityId = catalogue.FacilityId.ToString(), FacilityCode = facilityCode,
        EffectiveFrom = Timestamp.FromDateTime(catalogue.EffectiveFrom),
        EffectiveUntil = catalogue.EffectiveUntil is { } until ? Timestamp.FromDateTime(until) : null,
        UnitPrices =
        {
            catalogue.UnitPrices.NonZero().InDisplayOrder(p => p.Class).Select(p => new V1.ResourcePrice { ResourceClass = p.Class, UnitPriceXof = p.Amount }),
        },
        Currency = catalogue.Currency,
    };

    private const long MaxPriceXof = 10_000_000;

    /// <summary>The prices by class a request gives: each one strictly positive, each class one billing knows.</summary>
    private async Task<ResourceVector> PricesOfAsync(V1.SetPriceCatalogueRequest request, CancellationToken cancellationToken)
    {
        if (request.UnitPrices.Count == 0)
        {
            throw new InvalidFieldException("unit_prices", new(
                "sont obligatoires : un prix par classe, par exemple {resource_class: vcpu, unit_price_xof: 25}.",
                "are required: a price by class, for example {resource_class: vcpu, unit_price_xof: 25}."));
        }
        for (var i = 0; i < request.UnitPrices.Count; i++)
        {
            Positive(request.UnitPrices[i].UnitPriceXof, $"unit_prices[{i}].unit_price_xof");
        }
        var listed = ByClassInput.Listed([.. request.UnitPrices.Select(p => ((string?)p.ResourceClass, p.UnitPriceXof))], "unit_prices", "unit_price_xof", MaxPriceXof);
        var known = await classes.AllAsync(cancellationToken);
        if (listed.Classes.FirstOrDefault(c => !known.Knows(c)) is { } unknown)
        {
            throw new InvalidFieldException($"unit_prices[{ByClassInput.IndexOf(request.UnitPrices.Select(p => p.ResourceClass), unknown)}].resource_class", new(
                $"{unknown} n'est pas une classe de ressource connue de la facturation (si elle vient d'être ajoutée au catalogue, réessayez dans un instant).",
                $"{unknown} is not a resource class billing knows (if it was just added to the catalogue, try again in a moment)."));
        }
        return listed;
    }

    private static long Positive(long priceXof, string field) => priceXof > 0 ? Validate.Amount(priceXof, field, MaxPriceXof)
        : throw new InvalidFieldException(field, new("doit être un nombre entier de francs strictement positif.", "must be a whole, strictly positive number of francs."));

    private async Task<V1.Invoice> ToMessageAsync(Task<Invoice> loading, CancellationToken cancellationToken)
    {
        var invoice = await loading;
        return ToMessage(invoice, await classes.AllAsync(cancellationToken));
    }

    /// <summary>The invoice; its lines too when <paramref name="classes"/> are given to name their units.</summary>
    private static V1.Invoice ToMessage(Invoice invoice, MeteredClasses? classes)
    {
        var message = new V1.Invoice
        {
            Id = invoice.Id.ToString(), Number = invoice.Number ?? "", AgencyId = invoice.AgencyId.ToString(), AgencyName = invoice.AgencyName,
            StateCode = invoice.StateCode, Month = invoice.Month, TimeZone = invoice.TimeZone,
            PeriodFrom = Timestamp.FromDateTime(invoice.PeriodFrom), PeriodUntil = Timestamp.FromDateTime(invoice.PeriodUntil),
            Status = InvoiceDocuments.Status(invoice.Status), Currency = invoice.Currency, TotalXof = invoice.TotalXof, CreditedXof = invoice.CreditedXof,
            IssuedAt = invoice.IssuedAt is { } issued ? Timestamp.FromDateTime(issued) : null,
            PaidAt = invoice.PaidAt is { } paid ? Timestamp.FromDateTime(paid) : null,
            CancelledAt = invoice.CancelledAt is { } cancelled ? Timestamp.FromDateTime(cancelled) : null,
            CreditNotes =
            {
                invoice.CreditNotes.Select(c => new V1.CreditNote
                {
                    Id = c.Id.ToString(), Number = c.Number, AmountXof = c.AmountXof, Reason = c.Reason, IssuedAt = Timestamp.FromDateTime(c.IssuedAt),
                }),
            },
        };
        if (classes is not null)
        {
            message.Lines.AddRange(invoice.Lines.Select(l => new V1.InvoiceLine
            {
                Id = l.Id.ToString(), FacilityId = l.FacilityId.ToString(), FacilityCode = l.FacilityCode, FacilityStateCode = l.FacilityStateCode,
                Resource = MeteredClasses.LineName(l.ResourceClass), ResourceClass = l.ResourceClass, Unit = classes.Unit(l.ResourceClass),
                PeriodFrom = Timestamp.FromDateTime(l.PeriodFrom), PeriodUntil = Timestamp.FromDateTime(l.PeriodUntil),
                Quantity = InvoiceDocuments.Quantity(l), UnitPriceXof = l.UnitPriceXof, AmountXof = l.AmountXof,
                PriceSource = l.PriceSource.ToString().ToLowerInvariant(), PriceSourceId = l.PriceSourceId.ToString(),
            }));
        }
        return message;
    }

    private static V1.Settlement ToMessage(SettlementView view) => new()
    {
        Id = view.Run.Id.ToString(), Month = view.Run.Month, Status = "closed", ClosedAt = Timestamp.FromDateTime(view.Run.ClosedAt),
        Statements =
        {
            view.Run.Statements.OrderBy(s => s.DebtorStateCode).ThenBy(s => s.CreditorStateCode).Select(s => new V1.SettlementStatement
            {
                DebtorStateCode = s.DebtorStateCode, CreditorStateCode = s.CreditorStateCode, AmountXof = s.AmountXof, InvoiceLines = s.Lines.Count,
            }),
        },
        Positions = { view.NetPositions.OrderBy(p => p.Key).Select(p => new V1.NetPosition { StateCode = p.Key, NetXof = p.Value }) },
    };
}
