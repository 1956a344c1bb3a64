-- Takes a hold in one round trip (PostgreSQL only; SQLite keeps the portable EF path in ClaimService).
-- The claim row is inserted first: it is the idempotency gate, and a concurrent try of the same id waits
-- on it. Then each class is taken with a conditional UPDATE, agency, pool, slice, each by class in the
-- order the caller gives (ordinal code order, as the EF path and every lock): claims queue on hot rows but
-- never deadlock. A class without a row (a pool or slice that has none of it) has a limit of 0. When one
-- does not fit, what was taken is given back (the rows are still locked by this transaction) and the claim
-- is kept as refused.
-- p_classes and p_amounts: the claim's non-zero amounts; p_amounts_json: the same, as the claim keeps them.
-- outcome: 0 held, 1 the id already has an answer, 2 facility not open, 3 agreement not valid,
--          10 agency quota short, 11 pool short, 12 slice short (with the class and the row's figures).
CREATE OR REPLACE FUNCTION quota_hold(
    p_claim uuid, p_agency uuid, p_pool uuid, p_facility uuid, p_agreement uuid, p_guest_state text,
    p_classes text[], p_amounts bigint[], p_amounts_json text, p_expires timestamptz, p_reference text, p_now timestamptz,
    p_message_id uuid, p_message_type text, p_message_body text, p_trace_parent text)
RETURNS TABLE (outcome int, failed_class text, row_limit bigint, row_used bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    s int;
    c int;
    k int;
    n int := coalesce(array_length(p_classes, 1), 0);
    stage int := 0;
    failed int := 0;
    lim bigint := 0;
    used bigint := 0;
BEGIN
    INSERT INTO claims ("ClaimId", "AgencyId", "PoolId", "FacilityId", "AgreementId", "Amounts",
                        "Status", "ExpiresAt", "Reference", "RefusedShortfall", "CreatedAt", "UpdatedAt")
    VALUES (p_claim, p_agency, p_pool, p_facility, p_agreement, p_amounts_json,
            1, p_expires, p_reference, 0, p_now, p_now)
    ON CONFLICT ("ClaimId") DO NOTHING;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 1, NULL::text, 0::bigint, 0::bigint;
        RETURN;
    END IF;

    IF NOT EXISTS (SELECT 1 FROM known_facilities WHERE "FacilityId" = p_facility AND "Status" = 'open') THEN
        DELETE FROM claims WHERE "ClaimId" = p_claim;
        RETURN QUERY SELECT 2, NULL::text, 0::bigint, 0::bigint;
        RETURN;
    END IF;
    IF p_agreement IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM agreements WHERE "AgreementId" = p_agreement AND "Active" AND "FacilityId" = p_facility AND "GuestStateCode" = p_guest_state) THEN
        DELETE FROM claims WHERE "ClaimId" = p_claim;
        RETURN QUERY SELECT 3, NULL::text, 0::bigint, 0::bigint;
        RETURN;
    END IF;

    <<taking>>
    FOR s IN 1..3 LOOP
        CONTINUE WHEN s = 3 AND p_agreement IS NULL;
        stage := s;
        FOR c IN 1..n LOOP
            IF stage = 1 THEN
                UPDATE agency_allocations SET "Used" = "Used" + p_amounts[c]
                WHERE "AgencyId" = p_agency AND "Class" = p_classes[c] AND "Used" + p_amounts[c] <= "Limit";
            ELSIF stage = 2 THEN
                UPDATE pool_inventories SET "Used" = "Used" + p_amounts[c]
                WHERE "PoolId" = p_pool AND "Class" = p_classes[c] AND "Used" + p_amounts[c] <= "Capacity";
            ELSE
                UPDATE agreement_slices SET "Used" = "Used" + p_amounts[c]
                WHERE "AgreementId" = p_agreement AND "Class" = p_classes[c] AND "Used" + p_amounts[c] <= "Limit";
            END IF;
            IF NOT FOUND THEN
                failed := c;
                EXIT taking;
            END IF;
        END LOOP;
    END LOOP;

    IF failed = 0 THEN
        INSERT INTO outbox_messages (message_id, message_type, body, occurred_at, attempts, trace_parent)
        VALUES (p_message_id, p_message_type, p_message_body, p_now, 0, p_trace_parent);
        RETURN QUERY SELECT 0, NULL::text, 0::bigint, 0::bigint;
        RETURN;
    END IF;

    -- Give back what was taken before the class that did not fit: whole earlier stages, earlier classes of this one.
    FOR k IN 1..stage LOOP
        FOR c IN 1..n LOOP
            EXIT WHEN k = stage AND c >= failed;
            IF k = 1 THEN
                UPDATE agency_allocations SET "Used" = "Used" - p_amounts[c] WHERE "AgencyId" = p_agency AND "Class" = p_classes[c];
            ELSIF k = 2 THEN
                UPDATE pool_inventories SET "Used" = "Used" - p_amounts[c] WHERE "PoolId" = p_pool AND "Class" = p_classes[c];
            ELSE
                UPDATE agreement_slices SET "Used" = "Used" - p_amounts[c] WHERE "AgreementId" = p_agreement AND "Class" = p_classes[c];
            END IF;
        END LOOP;
    END LOOP;

    IF stage = 1 THEN
        SELECT "Limit", "Used" INTO lim, used FROM agency_allocations WHERE "AgencyId" = p_agency AND "Class" = p_classes[failed];
    ELSIF stage = 2 THEN
        SELECT "Capacity", "Used" INTO lim, used FROM pool_inventories WHERE "PoolId" = p_pool AND "Class" = p_classes[failed];
    ELSE
        SELECT "Limit", "Used" INTO lim, used FROM agreement_slices WHERE "AgreementId" = p_agreement AND "Class" = p_classes[failed];
    END IF;
    lim := COALESCE(lim, 0);
    used := COALESCE(used, 0);
    UPDATE claims SET "Status" = 5, "UpdatedAt" = p_now,
        "RefusedClass" = p_classes[failed],
        "RefusedShortfall" = GREATEST(1, p_amounts[failed] - GREATEST(0, lim - used))
    WHERE "ClaimId" = p_claim;
    RETURN QUERY SELECT 9 + stage, p_classes[failed], lim, used;
END
$fn$;
