-- The source of the grant a promotion's claims record their players in, read after promotion-grant
-- (its own statement, so it sees a grant another transaction committed meanwhile): PROMOTION, unless
-- an operator grant took the id 'promotion:<id>' first.
SELECT source FROM bonus_grant WHERE request_id = :request_id;
