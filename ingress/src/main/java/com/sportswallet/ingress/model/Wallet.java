package com.sportswallet.ingress.model;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A player's wallet: balance in minor units, version = number of ledger entries. */
@Entity
@Table(name = "wallet")
public class Wallet extends PanacheEntityBase {
    public static final String KIND_CASH = "CASH";

    @Id
    public long id;
    @Column(name = "player_id")
    public String playerId;
    public String currency;
    public String kind;
    /** The settled balance: the sum of the ledger. */
    public long balance;
    /** The PENDING credits not applied yet (decided wins, refunds, discard stakes). */
    public long pending;
    public long version;
    @Column(name = "created_at")
    public OffsetDateTime createdAt;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    /** What the player has and may spend: settled + pending, from this one row version. */
    public long available() {
        return available(balance, pending);
    }

    /** Available = settled + pending (DESIGN.md), from one row version's two columns. */
    public static long available(long balance, long pending) {
        return balance + pending;
    }
}
