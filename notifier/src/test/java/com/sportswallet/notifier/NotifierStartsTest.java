package com.sportswallet.notifier;

import static io.restassured.RestAssured.given;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Against the real broker the notifier creates its topics, starts its topology and becomes ready. */
@QuarkusTest
@QuarkusTestResource(RealInfraResource.class)
class NotifierStartsTest {

    @Test
    void becomesReady() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && given().get("/q/health/ready").statusCode() != 200) {
            Thread.sleep(250);
        }
        given().get("/q/health/ready").then().statusCode(200);
    }
}
