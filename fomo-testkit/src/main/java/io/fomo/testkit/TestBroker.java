package io.fomo.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * A plain AMQP connection to the tests' RabbitMQ (the test profile's broker: {@code 127.0.0.1:5672}, vhost {@code /},
 * guest; {@code FOMO_RABBITMQ_HOST/PORT} override), for tests that publish raw envelopes or clean up their queues.
 */
public final class TestBroker {

    private TestBroker() {
    }

    /** A new connection named {@code name} (shown in RabbitMQ's management) as guest; the caller closes it. */
    public static Connection connect(String name) {
        return connect(name, "guest", "guest");
    }

    /**
     * A new connection as the RabbitMQ user of {@code service} ("rmo", "billing", ...: {@code fomo-<service>}, its local
     * password, as {@code deploy/local/ensure-infra.sh} creates it), to publish an event as its producer would: set the
     * message's {@code user_id} to {@link #userOf(String)} (issue #17's producer check).
     */
    public static Connection connectAs(String service, String name) {
        return connect(name, userOf(service), userOf(service) + "-local");
    }

    /** The RabbitMQ user name of {@code service}: {@code fomo-<service>}. */
    public static String userOf(String service) {
        return "fomo-" + service;
    }

    private static Connection connect(String name, String user, String password) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(TestDatabase.env("FOMO_RABBITMQ_HOST", "127.0.0.1"));
        f.setPort(Integer.parseInt(TestDatabase.env("FOMO_RABBITMQ_PORT", "5672")));
        f.setUsername(user);
        f.setPassword(password);
        f.setVirtualHost("/");
        try {
            return f.newConnection(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to RabbitMQ", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot connect to RabbitMQ", e);
        }
    }
}
