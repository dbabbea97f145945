package io.fomo.shared.grpc;

import java.util.List;
import java.util.Map;

import io.fomo.shared.errors.ErrorCode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

import io.fomo.shared.web.Text;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Issue #17 on gRPC: a request message with a control character or an over-long text in any string field (nested
 * and repeated fields included) is {@code INVALID_ARGUMENT} (code {@code INVALID_ARGUMENT}, naming the field) and
 * never reaches the method, the same {@link Text} rule as REST. Field-specific bounds stay with each method.
 */
@ApplicationScoped
@GlobalInterceptor
public class HostileTextInterceptor implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                String problem = message instanceof Message m ? problemIn(m, "") : null;
                if (problem != null) {
                    refused = true;
                    StatusRuntimeException e = GrpcErrors.status(ErrorCode.INVALID_ARGUMENT, problem);
                    call.close(e.getStatus(), e.getTrailers());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The first refused string field of {@code message} (as {@code "field.path problem"}), or {@code null}. */
    static String problemIn(Message message, String prefix) {
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            FieldDescriptor descriptor = field.getKey();
            String name = prefix + descriptor.getName();
            if (descriptor.isRepeated()) {
                List<?> values = (List<?>) field.getValue();
                for (int i = 0; i < values.size(); i++) {
                    String problem = problemOf(descriptor, values.get(i), name + "[" + i + "]");
                    if (problem != null) {
                        return problem;
                    }
                }
            } else {
                String problem = problemOf(descriptor, field.getValue(), name);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private static String problemOf(FieldDescriptor descriptor, Object value, String name) {
        if (descriptor.getJavaType() == FieldDescriptor.JavaType.STRING && value instanceof String s) {
            String problem = Text.problem(s);
            return problem == null ? null : name + " " + problem;
        }
        if (descriptor.getJavaType() == FieldDescriptor.JavaType.MESSAGE && value instanceof Message nested) {
            return problemIn(nested, name + ".");
        }
        return null;
    }
}
