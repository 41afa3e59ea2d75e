package conformance

// validatorCases are minimal correct objects (want empty) and deliberately
// broken ones (want: substrings of the expected violations), for each
// schema source.
var validatorCases = []struct {
	name string
	yaml string
	want []string
}{
	// --- Built-in kinds (Kubernetes OpenAPI spec) ---------------------------
	{name: "core/deployment/valid", yaml: deployment},
	{name: "core/deployment/unknown-field", yaml: deployment + "  replica: 2\n",
		want: []string{`spec.replica: unknown field`}},
	{name: "core/deployment/unknown-nested-field", yaml: deploymentWith("        imagePolicy: Always\n"),
		want: []string{`spec.template.spec.containers[0].imagePolicy: unknown field`}},
	{name: "core/deployment/missing-required", yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{image: nginx}]
`, want: []string{`spec.selector: Required value`, `spec.template.spec.containers[0].name: Required value`}},
	{name: "core/deployment/wrong-type", yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: "3"
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: nginx}]
`, want: []string{`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer`}},
	{name: "core/deployment/wrong-enum", yaml: deploymentWith("        imagePullPolicy: always\n"),
		want: []string{`spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "always"`}},
	{name: "core/deployment/bad-quantity", yaml: deploymentWith("        resources: {limits: {cpu: 2 cores, memory: 1.5}}\n"),
		want: []string{`spec.template.spec.containers[0].resources.limits.cpu: Invalid value: "2 cores"`,
			`spec.template.spec.containers[0].resources.limits.memory: Invalid value: "number"`}},
	{name: "core/deployment/quantities", yaml: deploymentWith("        resources: {limits: {cpu: 1, memory: 512Mi}, requests: {cpu: 250m, memory: 1e3}}\n")},
	{name: "core/deployment/duplicate-list-map-key", yaml: deploymentWith("      - {name: api, image: nginx}\n"),
		want: []string{`spec.template.spec.containers[1]: Duplicate value: map[string]interface {}{"name":"api"}`}},
	{name: "core/cronjob/pod-template-labels", yaml: `apiVersion: batch/v1
kind: CronJob
metadata: {name: digest}
spec:
  schedule: "0 * * * *"
  concurrencyPolicy: Sometimes
  jobTemplate:
    metadata: {labels: {team: a b}}
    spec:
      template:
        metadata: {annotations: {"bad key!": x}}
        spec:
          restartPolicy: OnFailure
          containers: [{name: digest, image: busybox}]
`, want: []string{`spec.concurrencyPolicy: Unsupported value: "Sometimes"`, `spec.jobTemplate.metadata.labels: Invalid value: "a b"`,
		`spec.jobTemplate.spec.template.metadata.annotations: Invalid value: "bad key!"`}},
	{name: "core/service/int-or-string", yaml: `apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports:
  - {name: http, port: 80, targetPort: http, protocol: TCP}
  - {name: https, port: 443, targetPort: 8443}
`},
	{name: "core/service/bad-int-or-string-and-enum", yaml: `apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  ports:
  - {port: 80, targetPort: true, protocol: tcp}
`, want: []string{`spec.ports[0].targetPort: Invalid value: "boolean"`, `spec.ports[0].protocol: Unsupported value: "tcp"`}},
	{name: "core/service/missing-port", yaml: `apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  ports: [{targetPort: 8080}]
`, want: []string{`spec.ports[0].port: Required value`}},
	{name: "core/service/name-not-dns-1035", yaml: `apiVersion: v1
kind: Service
metadata: {name: 1api}
spec:
  ports: [{port: 80}]
`, want: []string{`metadata.name: Invalid value: "1api"`}},
	{name: "core/networkpolicy/enum-in-list", yaml: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec:
  podSelector: {}
  policyTypes: [ingress]
`, want: []string{`spec.policyTypes[0]: Unsupported value: "ingress"`}},
	{name: "core/namespace/metadata", yaml: `apiVersion: v1
kind: Namespace
metadata:
  name: Billing
  namespace: default
  lables: {a: b}
  labels: {team: "not ok!"}
`, want: []string{`metadata.lables: unknown field`, `metadata.name: Invalid value: "Billing"`,
		`metadata.namespace: Forbidden: not allowed on this type`, `metadata.labels: Invalid value: "not ok!"`}},
	{name: "core/secret/bytes", yaml: `apiVersion: v1
kind: Secret
metadata: {name: s}
data: {key: not-base64!}
stringData: {other: plain}
`, want: []string{`data.key: Invalid value: "not-base64!"`}},
	{name: "core/unknown-kind", yaml: "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n",
		want: []string{`no schema for apps/v1 Deploymnet`}},
	{name: "core/unknown-group", yaml: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: x}\n",
		want: []string{`no schema for example.com/v1`}},
	{name: "core/no-kind", yaml: "apiVersion: v1\nmetadata: {name: x}\n",
		want: []string{`apiVersion and kind are required`}},

	// --- Argo CD CRDs -------------------------------------------------------
	{name: "argocd/appproject/valid", yaml: appProject},
	{name: "argocd/appproject/unknown-and-wrong-type", yaml: appProject + "  sourceRepo: x\n  clusterResourceWhitelist: {group: '*'}\n",
		want: []string{`spec.sourceRepo: unknown field`, `spec.clusterResourceWhitelist: Invalid value: "object"`}},
	{name: "argocd/application/valid", yaml: application},
	{name: "argocd/application/missing-required", yaml: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: billing, namespace: argocd}
spec:
  source: {repoURL: https://git.example.com/platform.git, path: x}
`, want: []string{`spec.destination: Required value`, `spec.project: Required value`}},
	{name: "argocd/application/nested-unknown-field", yaml: application + "  syncPolicy: {automated: {prune: true, selfheal: true}}\n",
		want: []string{`spec.syncPolicy.automated.selfheal: unknown field`}},
	{name: "argocd/application/no-spec", yaml: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x, namespace: argocd}\n",
		want: []string{`spec: Required value`}},
	{name: "argocd/applicationset/valid", yaml: applicationSet},
	{name: "argocd/applicationset/preserved-unknown-fields", yaml: applicationSet + "  templatePatch: '{}'\n"},
	{name: "argocd/applicationset/wrong-type", yaml: `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: tenants, namespace: argocd}
spec:
  goTemplate: "yes"
  generators: {list: {}}
  template: {metadata: {}, spec: {project: x, destination: {}}}
`, want: []string{`spec.goTemplate: Invalid value: "string"`, `spec.generators: Invalid value: "object"`}},

	// --- Karpenter CRDs -----------------------------------------------------
	{name: "karpenter/nodepool/valid", yaml: nodePool},
	{name: "karpenter/nodepool/missing-node-class", yaml: `apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: default}
spec:
  template: {spec: {requirements: []}}
`, want: []string{`spec.template.spec.nodeClassRef: Required value`}},
	{name: "karpenter/ec2nodeclass/no-ami", yaml: `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: default}
spec:
  role: nodes
  subnetSelectorTerms: [{tags: {a: b}}]
  securityGroupSelectorTerms: [{tags: {a: b}}]
`, want: []string{`spec.amiSelectorTerms: Required value`}},
	{name: "karpenter/ec2nodeclass/restricted-tag", yaml: `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: default}
spec:
  role: nodes
  amiSelectorTerms: [{alias: al2023@latest}]
  subnetSelectorTerms: [{tags: {a: b}}]
  securityGroupSelectorTerms: [{tags: {a: b}}]
  tags: {karpenter.sh/nodepool: x}
`, want: []string{`spec.tags`}},

	// --- External Secrets Operator CRDs -------------------------------------
	{name: "eso/externalsecret/valid", yaml: externalSecret},
	{name: "eso/externalsecret/v1beta1-not-served", yaml: `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: psp}
spec: {}
`, want: []string{`external-secrets.io/v1beta1 ExternalSecret is not served`}},
	{name: "eso/externalsecret/broken", yaml: `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: psp}
spec:
  refreshInterval: 1h
  secretStoreRef: {name: Vault, kind: Store}
  target: {name: psp, creationPolicy: Sometimes}
  data:
  - secretKey: PSP_API_KEY
    remoteRef: {property: PSP_API_KEY}
    remote: {}
`, want: []string{`spec.data[0].remote: unknown field`, `spec.data[0].remoteRef.key: Required value`,
		`spec.target.creationPolicy: Unsupported value: "Sometimes"`, `spec.secretStoreRef.kind: Unsupported value: "Store"`,
		`spec.secretStoreRef.name: Invalid value: "Vault"`}},
	{name: "eso/secretstore/valid", yaml: secretStore},
	{name: "eso/secretstore/missing-provider", yaml: `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: {name: vault}
spec:
  refreshInterval: 60
`, want: []string{`spec.provider: Required value`}},
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app.kubernetes.io/name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: nginx:1.27
        ports: [{containerPort: 8080, name: http}]
`

// deploymentWith adds lines to the first container of deployment, or,
// when they start a list item, a second container.
func deploymentWith(lines string) string { return deployment + lines }

const appProject = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: billing, namespace: argocd}
spec:
  sourceRepos: [https://git.example.com/platform.git]
  destinations: [{server: https://kubernetes.default.svc, namespace: billing}]
`

const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: billing, namespace: argocd}
spec:
  project: billing
  destination: {server: https://kubernetes.default.svc, namespace: billing}
  source: {repoURL: https://git.example.com/platform.git, path: out/tenants/billing, targetRevision: main}
`

const applicationSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: tenants, namespace: argocd}
spec:
  goTemplate: true
  generators:
  - list:
      elements: [{tenant: billing}]
  template:
    metadata: {name: '{{.tenant}}'}
    spec:
      project: '{{.tenant}}'
      destination: {server: https://kubernetes.default.svc, namespace: '{{.tenant}}'}
      source: {repoURL: https://git.example.com/platform.git, path: 'out/tenants/{{.tenant}}'}
`

const externalSecret = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: psp}
spec:
  refreshInterval: 1h
  secretStoreRef: {name: vault, kind: SecretStore}
  target: {name: psp}
  data:
  - secretKey: PSP_API_KEY
    remoteRef: {key: payments/psp, property: PSP_API_KEY}
`

const secretStore = `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: {name: vault}
spec:
  provider:
    vault:
      server: https://vault.example.com
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: billing
          serviceAccountRef: {name: external-secrets}
`

const nodePool = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: default}
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]
`
