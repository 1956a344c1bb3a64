using Aes.Contracts.Billing.V1;
using Aes.Testing;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Aes.Integration.Tests.Billing;

/// <summary>
/// Issue 20 point 1: a write that is not idempotent by nature takes a request id and answers a repeat with its first result.
/// Billing on PostgreSQL; the fault is the answer lost on its way back after billing committed, as a dropped connection or a
/// caller's timeout would lose it. Without the key the retry issues a second credit note (shown first, as the contrast).
/// </summary>
public sealed class RepeatedCreditNoteTests(PostgresBillingService billing) : IClassFixture<PostgresBillingService>
{
    private const string IssueCreditNote = "/aes.billing.v1.BillingService/IssueCreditNote";

    [Fact]
    public async Task A_credit_note_whose_answer_is_lost_after_the_commit_is_issued_once_when_asked_again_with_its_key()
    {
        var actor = billing.MaliOperator.ToString();
        var issued = await billing.IssuedInvoiceAsync("Agence de l'avoir perdu", month: 6, seed: 21);
        var receivable = BillingServiceFixture.ReceivableOf(issued);
        var lossy = new BillingService.BillingServiceClient(billing.Invoker.Intercept(new AnswerLostAfterCommit()));

        var withoutKey = new IssueCreditNoteRequest { ActorUserId = actor, InvoiceId = issued.Id, AmountXof = 100, Reason = "Sans clé / without a key" };
        await Assert.ThrowsAsync<RpcException>(() => lossy.IssueCreditNoteAsync(withoutKey).ResponseAsync);
        var twice = await billing.Client.IssueCreditNoteAsync(withoutKey);
        Assert.Equal(2, twice.CreditNotes.Count); // what a plain retry does

        var keyed = new IssueCreditNoteRequest
        {
            ActorUserId = actor, InvoiceId = issued.Id, AmountXof = 700, Reason = "Coupure de 3 heures / 3-hour outage", IdempotencyKey = "avoir-2026-06-coupure",
        };
        var lost = await Assert.ThrowsAsync<RpcException>(() => lossy.IssueCreditNoteAsync(keyed).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, lost.StatusCode);
        var committed = await billing.Client.GetInvoiceAsync(new GetInvoiceRequest { ActorUserId = actor, InvoiceId = issued.Id });
        Assert.Equal(3, committed.CreditNotes.Count); // the fault came after the commit: the note exists, its caller does not know

        var retried = await billing.Client.IssueCreditNoteAsync(keyed);

        Assert.Equal(committed.CreditNotes.Select(n => n.Id), retried.CreditNotes.Select(n => n.Id));
        Assert.Equal(900, retried.CreditedXof);
        Assert.Equal(issued.TotalXof - 900, await billing.BalanceAsync(receivable));
        Assert.Equal(3L, await billing.PostgresAsync($"SELECT count(*) FROM audit_entries WHERE action = '{IssueCreditNote}' AND details LIKE '%{issued.Id}%'"));

        // The same key for another request is refused and changes nothing.
        var other = keyed.Clone();
        other.AmountXof = 50;
        var reused = await Assert.ThrowsAsync<RpcException>(() => billing.Client.IssueCreditNoteAsync(other).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, reused.StatusCode);
        Assert.Contains("idempotency_key", reused.Status.Detail);
        Assert.Equal(issued.TotalXof - 900, await billing.BalanceAsync(receivable));
        var audit = await billing.AuditAsync();
        Assert.True(audit.Balanced && audit.Problems.Count == 0, string.Join("; ", audit.Problems));
    }

    [Fact]
    public async Task Eight_concurrent_copies_of_one_keyed_credit_note_make_one_note_and_all_get_its_answer()
    {
        var actor = billing.MaliOperator.ToString();
        var issued = await billing.IssuedInvoiceAsync("Agence des copies", month: 7, seed: 31);
        var request = new IssueCreditNoteRequest
        {
            ActorUserId = actor, InvoiceId = issued.Id, AmountXof = 300, Reason = "Double envoi / sent twice", IdempotencyKey = Guid.NewGuid().ToString(),
        };

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => billing.Client.IssueCreditNoteAsync(request).ResponseAsync));

        var note = Assert.Single(answers.SelectMany(a => a.CreditNotes).DistinctBy(n => n.Id));
        Assert.Equal(300, note.AmountXof);
        Assert.All(answers, a => Assert.Equal(300, a.CreditedXof));
        Assert.Equal(issued.TotalXof - 300, await billing.BalanceAsync(BillingServiceFixture.ReceivableOf(issued)));
        Assert.Equal(1L, await billing.PostgresAsync($"SELECT count(*) FROM audit_entries WHERE action = '{IssueCreditNote}' AND details LIKE '%{issued.Id}%'"));
    }

    /// <summary>The server's answer arrives and is dropped: the caller sees a broken connection after the server committed.</summary>
    private sealed class AnswerLostAfterCommit : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var call = continuation(request, context);
            return new AsyncUnaryCall<TResponse>(Lose(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
        }

        private static async Task<TResponse> Lose<TResponse>(Task<TResponse> answer)
        {
            await answer;
            throw new RpcException(new Status(StatusCode.Unavailable, "connection reset after the answer was sent (test)"));
        }
    }
}
