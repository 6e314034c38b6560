package com.sportswallet.contracts;

/** CloudEvent {@code type} values, fixed by DESIGN.md: consumers outside the project depend on them. */
public final class EventTypes {
    public static final String BET_PLACED = "wallet.bet.placed";
    public static final String BET_WON = "wallet.bet.won";
    public static final String BET_LOST = "wallet.bet.lost";
    public static final String BET_REFUNDED = "wallet.bet.refunded";
    public static final String BET_ROLLED_BACK = "wallet.bet.rolled-back";
    public static final String BET_DISCARDED = "wallet.bet.discarded";
    public static final String CREDIT_APPLIED = "wallet.credit.applied";
    public static final String DEPOSIT = "wallet.deposit";
    public static final String WITHDRAWAL = "wallet.withdrawal";
    public static final String PLAYER_STATUS_CHANGED = "wallet.player.status-changed";
    /** A player's self-exclusion set or extended (issue 15): data.excluded_until (null: indefinite), data.reason. */
    public static final String PLAYER_EXCLUDED = "wallet.player.excluded";
    /**
     * An accepted make or deposit took a player's usage exactly to a limit in force (issue 15): data.limit_kind
     * (wager, loss, deposit), data.period (day, week, month), data.period_start, data.limit, data.usage.
     */
    public static final String LIMIT_REACHED = "wallet.limit.reached";
    public static final String ALERT = "wallet.alert";
    /** Bonus lifecycle facts on wallet.events (issue 14): each carries player_seq like every wallet.events record. */
    public static final String BONUS_GRANTED = "wallet.bonus.granted";
    public static final String BONUS_REDEEMED = "wallet.bonus.redeemed";
    public static final String BONUS_RELEASED = "wallet.bonus.released";
    public static final String BONUS_DONE = "wallet.bonus.done";
    public static final String BONUS_REVOKED = "wallet.bonus.revoked";
    public static final String BONUS_EXPIRED = "wallet.bonus.expired";
    /**
     * A player claimed a limited promotion (issue 14): the claim, not yet a bonus (the granting consumer
     * grants it later: wallet.bonus.granted). Carries promotion_id and promotion_claims_left, 0 on exactly
     * the claim that took the promotion's last slot.
     */
    public static final String BONUS_CLAIMED = "wallet.bonus.claimed";

    public static final String CRM_FIRST_BET = "crm.player.first-bet";
    public static final String CRM_BIG_WIN = "crm.player.big-win";
    public static final String CRM_NEGATIVE_BALANCE = "crm.player.negative-balance";
    public static final String CRM_DEPOSIT = "crm.player.deposit";
    public static final String CRM_WITHDRAWAL = "crm.player.withdrawal";
    public static final String CRM_STATUS_CHANGED = "crm.player.status-changed";
    /** From wallet.player.excluded (issue 15): excluded_until, null when indefinite. */
    public static final String CRM_PLAYER_EXCLUDED = "crm.player.excluded";
    /** From wallet.limit.reached (issue 15): the limit and the period it was reached in. */
    public static final String CRM_LIMIT_REACHED = "crm.player.limit-reached";
    public static final String CRM_BONUS_GRANTED = "crm.player.bonus-granted";

    public static final String BONUS_WAGERING_PROGRESS = "bonus.wagering.progress";
    public static final String BONUS_FREEBET_REDEEMED = "bonus.freebet.redeemed";
    public static final String BONUS_PROMOTION_SOLD_OUT = "bonus.promotion.sold-out";

    private EventTypes() {
    }
}
