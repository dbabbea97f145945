package io.fomo.shared.ledger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.google.protobuf.Message;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.ListPendingRequest;
import io.fomo.grpc.treasury.v1.ListPendingResponse;
import io.fomo.grpc.treasury.v1.PendingTransfer;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;

/**
 * A fake treasury ledger on a local port: records every request with its authorization header, and answers from a
 * script ({@code answer}: the request and the attempt number to a reply or a failure to throw).
 */
final class FakeLedger extends LedgerGrpc.LedgerImplBase implements AutoCloseable {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    record Call(Message request, String authorization) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    volatile Function<Integer, Message> answer;
    private final ThreadLocal<String> authorization = new ThreadLocal<>();
    private final Server server;

    FakeLedger() throws java.io.IOException {
        ServerInterceptor auth = new ServerInterceptor() {
            @Override
            public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call, Metadata headers,
                    io.grpc.ServerCallHandler<Q, A> next) {
                String value = headers.get(AUTHORIZATION);
                io.grpc.ServerCall.Listener<Q> delegate = next.startCall(call, headers);
                return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
                    @Override
                    public void onHalfClose() {
                        authorization.set(value);
                        try {
                            super.onHalfClose();
                        } finally {
                            authorization.remove();
                        }
                    }
                };
            }
        };
        server = ServerBuilder.forPort(0).addService(ServerInterceptors.intercept(this, auth)).build().start();
    }

    int port() {
        return server.getPort();
    }

    @SuppressWarnings("unchecked")
    private <T extends Message> void reply(Message request, StreamObserver<T> out) {
        calls.add(new Call(request, authorization.get()));
        int attempt = attempts.incrementAndGet();
        try {
            Message m = answer.apply(attempt);
            out.onNext((T) m);
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(e);
        }
    }

    @Override
    public void transfer(TransferRequest request, StreamObserver<TransferResult> out) {
        reply(request, out);
    }

    @Override
    public void createPending(CreatePendingRequest request, StreamObserver<PendingTransfer> out) {
        reply(request, out);
    }

    @Override
    public void submitBatch(SubmitBatchRequest request, StreamObserver<SubmitBatchResult> out) {
        reply(request, out);
    }

    @Override
    public void getAccount(GetAccountRequest request, StreamObserver<Account> out) {
        reply(request, out);
    }

    @Override
    public void listPending(ListPendingRequest request, StreamObserver<ListPendingResponse> out) {
        reply(request, out);
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
