-- The point a batch's member backs out to when its debit is refused (issue 16): taken just before
-- the member's debit, so the member's refusal undoes its debit, ledger entry, event, answer and usage
-- booking, and releases the wallet row lock the debit took if no earlier member holds it.
SAVEPOINT make_member;
