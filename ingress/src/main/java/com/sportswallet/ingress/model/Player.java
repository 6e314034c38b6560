package com.sportswallet.ingress.model;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A player. Writes go through plain SQL in the services (insert-if-absent, conditional updates). */
@Entity
@Table(name = "player")
public class Player extends PanacheEntityBase {
    @Id
    public String id;
    public String status;
    @Column(name = "status_version")
    public long statusVersion;
    @Column(name = "created_at")
    public OffsetDateTime createdAt;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
