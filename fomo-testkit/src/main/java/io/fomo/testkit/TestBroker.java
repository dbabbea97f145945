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

    /** A new connection named {@code name} (shown in RabbitMQ's management); the caller closes it. */
    public static Connection connect(String name) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(TestDatabase.env("FOMO_RABBITMQ_HOST", "127.0.0.1"));
        f.setPort(Integer.parseInt(TestDatabase.env("FOMO_RABBITMQ_PORT", "5672")));
        f.setUsername("guest");
        f.setPassword("guest");
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
