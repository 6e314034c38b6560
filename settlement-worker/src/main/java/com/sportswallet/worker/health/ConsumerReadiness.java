package com.sportswallet.worker.health;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import com.sportswallet.worker.SettlementWorkerService;

/**
 * Ready while every settlement consumer runs and is a member of its group, with the partitions the
 * group assigned it (none is fine: more members than partitions); not ready before it joined, after
 * it lost its membership, or once its thread died (credits would wait). The database is Quarkus's
 * own datasource check, beside this one.
 */
@Readiness
@ApplicationScoped
public class ConsumerReadiness implements HealthCheck {
    @Inject
    SettlementWorkerService service;

    @Override
    public HealthCheckResponse call() {
        List<Integer> owned = service.ownedPartitions();
        long notInGroup = owned.stream().filter(n -> n < 0).count();
        int partitions = owned.stream().filter(n -> n > 0).mapToInt(Integer::intValue).sum();
        return HealthCheckResponse.named("settlement consumers").status(service.running() && !owned.isEmpty() && notInGroup == 0)
                .withData("consumers", owned.size()).withData("not_in_group", notInGroup).withData("partitions", partitions).build();
    }
}
