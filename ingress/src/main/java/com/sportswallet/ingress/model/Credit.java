package com.sportswallet.ingress.model;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A decided credit (win, refund, discard stake), read-only here: the money statements that create,
 * cancel and apply credits live in the money module. PENDING until applied.
 */
@Entity
@Table(name = "credit")
public class Credit extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "wallet_id")
    public long walletId;
    @Column(name = "bet_id")
    public String betId;
    public String kind;
    public long amount;
    public String status;
    @Column(name = "created_at")
    public OffsetDateTime createdAt;
}
