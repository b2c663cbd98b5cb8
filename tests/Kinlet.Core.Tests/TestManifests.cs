using Kinlet.Core.Manifests;
using Kinlet.Core.Model;

namespace Kinlet.Core.Tests;

/// <summary>Realistic manifests and a builder for small variations of one.</summary>
internal static class TestManifests
{
    public const string Hello = """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: hello
        spec:
          template:
            spec:
              containers:
                - image: ghcr.io/knative/helloworld-go:latest
                  env:
                    - name: TARGET
                      value: World
        """;

    public const string Full = """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: shop
          namespace: staging
          labels:
            app.kubernetes.io/name: shop
            team: payments
          annotations:
            example.com/owner: "ops@example.com"
        spec:
          template:
            metadata:
              name: shop-v2
              labels:
                version: v2
              annotations:
                autoscaling.knative.dev/min-scale: "1"
                autoscaling.knative.dev/max-scale: "10"
                autoscaling.knative.dev/initial-scale: "2"
                autoscaling.knative.dev/activation-scale: "2"
                autoscaling.knative.dev/target: "50"
                autoscaling.knative.dev/target-utilization-percentage: "80"
                autoscaling.knative.dev/metric: concurrency
                autoscaling.knative.dev/window: 1m30s
                autoscaling.knative.dev/panic-window-percentage: "20.0"
                autoscaling.knative.dev/panic-threshold-percentage: "150"
                autoscaling.knative.dev/scale-down-delay: 5m
                autoscaling.knative.dev/scale-to-zero-pod-retention-period: 90s
                autoscaling.knative.dev/target-burst-capacity: "-1"
                autoscaling.knative.dev/class: kpa.autoscaling.knative.dev
            spec:
              containerConcurrency: 10
              timeoutSeconds: 120
              responseStartTimeoutSeconds: 30
              idleTimeoutSeconds: 60
              containers:
                - name: shop
                  image: registry.example.com:5000/acme/shop:2.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                  command: ["/app/shop"]
                  args: ["--verbose"]
                  workingDir: /app
                  ports:
                    - name: h2c
                      containerPort: 9000
                      protocol: TCP
                  env:
                    - name: LOG_LEVEL
                      value: debug
                    - name: ENABLED
                      value: "yes"
                    - name: DB_PASSWORD
                      valueFrom:
                        secretKeyRef:
                          name: db
                          key: password
                    - name: FEATURE_FLAGS
                      valueFrom:
                        configMapKeyRef:
                          name: flags
                          key: all
                  resources:
                    requests:
                      cpu: 250m
                      memory: 128Mi
                    limits:
                      cpu: "1"
                      memory: 350Mi
                  readinessProbe:
                    httpGet:
                      path: /healthz
                      port: h2c
                      httpHeaders:
                        - name: X-Probe
                          value: ready
                    periodSeconds: 5
                    timeoutSeconds: 2
                    failureThreshold: 3
                  livenessProbe:
                    tcpSocket:
                      port: 9000
                    initialDelaySeconds: 10
                    periodSeconds: 10
                  securityContext:
                    runAsUser: 1000
                    runAsGroup: 1000
                    runAsNonRoot: true
                    readOnlyRootFilesystem: true
                    allowPrivilegeEscalation: false
          traffic:
            - revisionName: shop-v1
              percent: 90
              tag: stable
            - latestRevision: true
              percent: 10
              tag: canary
            - revisionName: shop-v0
              percent: 0
              tag: old
        """;

    public const string ExecProbe = """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: worker
        spec:
          template:
            spec:
              containers:
                - image: docker.io/library/busybox:1.36
                  readinessProbe:
                    exec:
                      command: ["cat", "/tmp/ready"]
                  livenessProbe:
                    exec:
                      command: ["true"]
                    periodSeconds: 3
                    failureThreshold: 2
        """;

    public const string LocalImage = """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: local
        spec:
          template:
            spec:
              containers:
                - image: kinlet-hello
                  ports:
                    - containerPort: 8080
          traffic:
            - percent: 100
        """;

    /// <summary>
    /// A service manifest in YAML flow style, so a test states only what it varies:
    /// <c>Service(container: "{image: x, ports: [{containerPort: 8012}]}")</c>.
    /// </summary>
    public static string Service(
        string container = "{image: ghcr.io/acme/hello:1.0}",
        string spec = "",
        string metadata = "name: hello",
        string templateMetadata = "{}",
        string? traffic = null,
        string? extraContainer = null) =>
        "apiVersion: serving.knative.dev/v1\n"
        + "kind: Service\n"
        + "metadata: {" + metadata + "}\n"
        + "spec:\n"
        + "  template:\n"
        + "    metadata: " + templateMetadata + "\n"
        + "    spec: {" + (spec.Length == 0 ? "" : spec + ", ") + "containers: [" + container + (extraContainer is null ? "" : ", " + extraContainer) + "]}\n"
        + (traffic is null ? "" : "  traffic: " + traffic + "\n");

    public static Bound<Service> Bind(string yaml) => ManifestReader.Bind<Service>(ManifestReader.Read(yaml).Single().Body);

    public static Service Parse(string yaml) => Bind(yaml).Value;
}
