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
    public static final String ALERT = "wallet.alert";

    public static final String CRM_FIRST_BET = "crm.player.first-bet";
    public static final String CRM_BIG_WIN = "crm.player.big-win";
    public static final String CRM_NEGATIVE_BALANCE = "crm.player.negative-balance";
    public static final String CRM_DEPOSIT = "crm.player.deposit";
    public static final String CRM_WITHDRAWAL = "crm.player.withdrawal";
    public static final String CRM_STATUS_CHANGED = "crm.player.status-changed";

    public static final String BONUS_WAGERING_PROGRESS = "bonus.wagering.progress";

    private EventTypes() {
    }
}
