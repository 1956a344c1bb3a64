-- Takes the holds that arrived together in one transaction and one commit (PostgreSQL only; see
-- HoldBatcher): group commit. Each hold is still decided on its own by quota_hold, in arrival order.
-- Before the first one, every agency, pool and slice row the batch touches is locked in one global
-- order (agencies, then pools, then slices; each by id and class in ordinal code order), the order every
-- other claim operation follows too, so two batches, or a batch and a release, queue but never deadlock.
-- p_classes and p_amounts hold each hold's classes and amounts one hold after the other, p_counts how many
-- each hold has (arrays are rectangular); the result has one row per hold.
CREATE OR REPLACE FUNCTION quota_hold_batch(
    p_claims uuid[], p_agencies uuid[], p_pools uuid[], p_facilities uuid[], p_agreements uuid[], p_guest_states text[],
    p_classes text[], p_amounts bigint[], p_counts int[], p_amounts_json text[], p_expires timestamptz[], p_references text[], p_nows timestamptz[],
    p_message_ids uuid[], p_message_types text[], p_message_bodies text[], p_trace_parents text[])
RETURNS TABLE (ordinal int, outcome int, failed_class text, row_limit bigint, row_used bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    i int;
    first int := 1;
BEGIN
    PERFORM 1 FROM agency_allocations WHERE "AgencyId" = ANY (p_agencies) ORDER BY "AgencyId", "Class" COLLATE "C" FOR UPDATE;
    PERFORM 1 FROM pool_inventories WHERE "PoolId" = ANY (p_pools) ORDER BY "PoolId", "Class" COLLATE "C" FOR UPDATE;
    PERFORM 1 FROM agreement_slices WHERE "AgreementId" = ANY (p_agreements) ORDER BY "AgreementId", "Class" COLLATE "C" FOR UPDATE;
    FOR i IN 1..coalesce(array_length(p_claims, 1), 0) LOOP
        RETURN QUERY SELECT i, h.outcome, h.failed_class, h.row_limit, h.row_used
            FROM quota_hold(p_claims[i], p_agencies[i], p_pools[i], p_facilities[i], p_agreements[i], p_guest_states[i],
                            p_classes[first:first + p_counts[i] - 1], p_amounts[first:first + p_counts[i] - 1], p_amounts_json[i],
                            p_expires[i], p_references[i], p_nows[i],
                            p_message_ids[i], p_message_types[i], p_message_bodies[i], p_trace_parents[i]) AS h;
        first := first + p_counts[i];
    END LOOP;
END
$fn$;
