package io.fomo.rmo.catalog;

import java.util.List;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.google.protobuf.Timestamp;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.grpc.rmo.v1.Catalog;
import io.fomo.grpc.rmo.v1.Deployment;
import io.fomo.grpc.rmo.v1.DeploymentState;
import io.fomo.grpc.rmo.v1.GetDeploymentRequest;
import io.fomo.grpc.rmo.v1.HostingCheck;
import io.fomo.grpc.rmo.v1.ListLiveDeploymentsRequest;
import io.fomo.grpc.rmo.v1.ListLiveDeploymentsResponse;
import io.fomo.rmo.config.RmoConfig;
import io.fomo.rmo.deployment.DeploymentService;
import io.fomo.rmo.deployment.DeploymentView;
import io.fomo.shared.grpc.GrpcErrors;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

/**
 * {@code fomo.rmo.v1.Catalog} (SPEC §9): "ListLiveDeployments, GetDeployment (model id, symbol, base URL, prices) for
 * the API platform's routing". Service tokens only (realm role {@code service}; a person's token is
 * PERMISSION_DENIED, none UNAUTHENTICATED), from the clients in {@code fomo.rmo.catalog.allowed-clients}. Only
 * LIVE deployments are listed; prices are the ones in force now (issue #22, see {@link #routable}).
 */
@GrpcService
@RolesAllowed("service")
public class CatalogGrpcService implements Catalog {

    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;

    @Inject
    DeploymentService deployments;

    @Inject
    CurrentIdentityAssociation identity;

    @Inject
    RmoConfig config;

    @Override
    public Uni<ListLiveDeploymentsResponse> listLiveDeployments(ListLiveDeploymentsRequest request) {
        return identity.getDeferredIdentity().flatMap(caller -> {
            requireCaller(caller);
            int size = request.getPageSize() == 0 ? DEFAULT_PAGE : request.getPageSize();
            if (size < 0 || size > MAX_PAGE) {
                throw ErrorCode.INVALID_PAGE_SIZE.problem("page_size must be 0..1000");
            }
            String after = request.getPageToken();
            if (after.length() > 128) {
                throw ErrorCode.INVALID_PAGE_TOKEN.problem("bad page token");
            }
            String model = request.getModelId().isEmpty() ? null : request.getModelId();
            return deployments.listLive(model, after, size + 1).map(list -> {
                ListLiveDeploymentsResponse.Builder b = ListLiveDeploymentsResponse.newBuilder();
                List<DeploymentView> page = list.size() > size ? list.subList(0, size) : list;
                page.forEach(d -> b.addDeployments(proto(d)));
                if (list.size() > size) {
                    b.setNextPageToken(page.get(page.size() - 1).id());
                }
                return b.build();
            });
        }).onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<Deployment> getDeployment(GetDeploymentRequest request) {
        return identity.getDeferredIdentity().flatMap(caller -> {
            requireCaller(caller);
            Uni<DeploymentView> found;
            switch (request.getKeyCase()) {
                case DEPLOYMENT_ID:
                    found = deployments.find(request.getDeploymentId());
                    break;
                case SYMBOL:
                    found = deployments.findBySymbol(request.getSymbol());
                    break;
                default:
                    throw ErrorCode.INVALID_KEY.problem("deployment_id or symbol is required");
            }
            return found.map(d -> proto(routable(d)));
        }).onFailure().transform(GrpcErrors::toStatusException);
    }

    /**
     * Issue #22: a deployment that went live is in the Catalog only while LIVE. A SUSPENDED one is
     * {@code FAILED_PRECONDITION} {@code DEPLOYMENT_SUSPENDED} (its hosting failed the re-checks), a DELISTING or
     * DELISTED one {@code FAILED_PRECONDITION} {@code DEPLOYMENT_DELISTED}; REGISTERED and OFFERING ones are returned
     * with their state as before (the API platform routes only LIVE).
     */
    static DeploymentView routable(DeploymentView d) {
        switch (d.stateEnum()) {
            case SUSPENDED:
                throw ErrorCode.DEPLOYMENT_SUSPENDED.problem("deployment " + d.id() + " is suspended: "
                        + (d.statusReason() == null ? "its hosting failed the re-checks" : d.statusReason()));
            case DELISTING:
            case DELISTED:
                throw ErrorCode.DEPLOYMENT_DELISTED.problem("deployment " + d.id() + " is " + d.state());
            default:
                return d;
        }
    }

    private void requireCaller(SecurityIdentity caller) {
        if (caller.getPrincipal() instanceof JsonWebToken jwt) {
            Object azp = jwt.getClaim("azp");
            if (azp != null && !config.catalog().allowedClients().contains(azp.toString())) {
                throw new ForbiddenException("client " + azp + " may not read the catalog");
            }
        }
    }

    static Deployment proto(DeploymentView d) {
        Deployment.Builder b = Deployment.newBuilder().setDeploymentId(d.id()).setDisplayName(d.displayName())
                .setModelId(d.modelId()).setBaseUrl(d.baseUrl()).setOwnerId(d.ownerId())
                .setInputPricePerMillion(d.inputPricePerMillion()).setOutputPricePerMillion(d.outputPricePerMillion())
                .setInputCostPerMillion(d.inputCostPerMillion()).setOutputCostPerMillion(d.outputCostPerMillion())
                .setState(switch (d.state()) {
                    case "LIVE" -> DeploymentState.DEPLOYMENT_STATE_LIVE;
                    case "OFFERING" -> DeploymentState.DEPLOYMENT_STATE_OFFERING;
                    default -> DeploymentState.DEPLOYMENT_STATE_REGISTERED;
                })
                .setCreatedAt(ts(d.createdAt()));
        if (d.symbol() != null) {
            b.setSymbol(d.symbol());
        }
        if (d.poolId() != null) {
            b.setPoolId(d.poolId());
        }
        if (d.offeringId() != null) {
            b.setOfferingId(d.offeringId());
        }
        if (d.liveAt() != null) {
            b.setLiveAt(ts(d.liveAt()));
        }
        if (d.hostingCheck() != null) {
            HostingCheck.Builder h = HostingCheck.newBuilder().setOk(d.hostingCheck().ok())
                    .setCheckedAt(ts(d.hostingCheck().checkedAt()));
            if (d.hostingCheck().detail() != null) {
                h.setDetail(d.hostingCheck().detail());
            }
            b.setHostingCheck(h);
        }
        return b.build();
    }

    static Timestamp ts(java.time.Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

}
