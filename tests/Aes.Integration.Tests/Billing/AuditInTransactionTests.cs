using Aes.Contracts.Billing.V1;
using Aes.Testing;
using Grpc.Core;

namespace Aes.Integration.Tests.Billing;

/// <summary>
/// Issue 20 point 1: a retry after a failure never repeats the effect. Billing on PostgreSQL; a trigger makes the audit
/// record of the first credit note fail, as a database failing between the change and its record would. Before the record
/// shared the change's transaction, the credit note was committed without a record, the caller was told to try again
/// (<c>Unavailable</c>), and the retry wrote a second credit note and a second ledger posting.
/// </summary>
public sealed class AuditInTransactionTests(PostgresBillingService billing) : IClassFixture<PostgresBillingService>
{
    private const string IssueCreditNote = "/aes.billing.v1.BillingService/IssueCreditNote";

    [Fact]
    public async Task A_credit_note_whose_audit_record_fails_is_undone_and_its_retry_makes_one_note_and_one_record()
    {
        var actor = billing.MaliOperator.ToString();
        var issued = await billing.IssuedInvoiceAsync("Agence de la reprise", month: 5, seed: 11);
        var receivable = BillingServiceFixture.ReceivableOf(issued);
        Assert.Equal(issued.TotalXof, await billing.BalanceAsync(receivable));

        // The first credit note's record fails: a sequence, which no rollback undoes, lets exactly one through to the failure.
        await billing.PostgresAsync($"""
            CREATE SEQUENCE audit_fault;
            CREATE FUNCTION audit_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.action = '{IssueCreditNote}' THEN
                IF nextval('audit_fault') = 1 THEN
                  RAISE EXCEPTION 'the audit store failed (test)' USING ERRCODE = '40001';
                END IF;
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER audit_fault BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_fault();
            """);
        var credit = new IssueCreditNoteRequest { ActorUserId = actor, InvoiceId = issued.Id, AmountXof = 700, Reason = "Coupure de 3 heures / 3-hour outage" };
        try
        {
            var failed = await Assert.ThrowsAsync<RpcException>(() => billing.Client.IssueCreditNoteAsync(credit).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, failed.StatusCode); // told to try again: so nothing may have been done
            var after = await billing.Client.GetInvoiceAsync(new GetInvoiceRequest { ActorUserId = actor, InvoiceId = issued.Id });
            Assert.Empty(after.CreditNotes);
            Assert.Equal(issued.TotalXof, await billing.BalanceAsync(receivable));

            var retried = await billing.Client.IssueCreditNoteAsync(credit);

            Assert.Equal(700, Assert.Single(retried.CreditNotes).AmountXof);
            Assert.Equal(700, retried.CreditedXof);
            Assert.Equal(issued.TotalXof - 700, await billing.BalanceAsync(receivable));
            Assert.Equal(1L, await billing.PostgresAsync($"SELECT count(*) FROM audit_entries WHERE action = '{IssueCreditNote}' AND details LIKE '%{issued.Id}%'"));
            var audit = await billing.AuditAsync();
            Assert.True(audit.Balanced && audit.Problems.Count == 0, string.Join("; ", audit.Problems));
        }
        finally
        {
            await billing.PostgresAsync("DROP TRIGGER audit_fault ON audit_entries; DROP FUNCTION audit_fault(); DROP SEQUENCE audit_fault;");
        }
    }
}
