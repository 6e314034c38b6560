package com.sportswallet.ingress.model;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One append-only ledger entry: a signed amount and the balance and wallet version after it. */
@Entity
@Table(name = "ledger_entry")
public class LedgerEntry extends PanacheEntityBase {
    @Id
    public long id;
    @Column(name = "wallet_id")
    public long walletId;
    public long amount;
    @Column(name = "balance_after")
    public long balanceAfter;
    @Column(name = "wallet_version")
    public long walletVersion;
    public String operation;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    @Column(name = "created_at")
    public OffsetDateTime createdAt;
}
