-- bet/make with a global_comboboost (issue 14): no granted bonus is redeemed (the provider's
-- global boost needs none); the bet, this transaction's own row, records the boost it was made with.
UPDATE bet SET bonus_type = 'global_comboboost', potential_comboboost_win = :potential_comboboost_win WHERE id = :bet_id;
