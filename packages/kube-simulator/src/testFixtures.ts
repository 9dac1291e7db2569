/*
 * Fixture objects shared by the tests.
 */
export const TEST_FIXTURE = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: { app: web, tier: frontend, backstage.io/kubernetes-id: web }
  annotations: { deployment.kubernetes.io/revision: "2", khal.ai/ref: bbb2222 }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata:
      labels: { app: web, backstage.io/kubernetes-id: web }
      annotations: { khal.ai/ref: bbb2222 }
    spec:
      containers:
        - name: web
          image: registry.test/web:bbb2222
          env:
            - name: API_KEY
              valueFrom: { secretKeyRef: { name: web-secrets, key: api-key } }
          envFrom:
            - configMapRef: { name: web-config }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-old
  namespace: shop
  labels: { app: web, pod-template-hash: old }
  annotations: { deployment.kubernetes.io/revision: "1" }
  ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: web, controller: true }]
spec:
  replicas: 0
  selector: { matchLabels: { app: web, pod-template-hash: old } }
  template:
    metadata: { labels: { app: web, pod-template-hash: old } }
    spec: { containers: [{ name: web, image: registry.test/web:aaa1111 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels: { app: api, tier: backend }
  annotations: { simulator.khal.ai/rollout: fail }
spec:
  replicas: 4
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [{ name: api, image: registry.test/api:1 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: crashy
  namespace: shop
  labels: { app: crashy, tier: backend }
  annotations: { simulator.khal.ai/crashloop: "true" }
spec:
  replicas: 2
  selector: { matchLabels: { app: crashy } }
  template:
    metadata: { labels: { app: crashy } }
    spec: { containers: [{ name: crashy, image: registry.test/crashy:1 }] }
---
apiVersion: v1
kind: Secret
metadata: { name: web-secrets, namespace: shop, labels: { app: web } }
stringData: { api-key: demo-not-a-secret }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config, namespace: shop, labels: { app: web } }
data: { MODE: test }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop, labels: { app: web } }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop, labels: { app: web } }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 3
  maxReplicas: 5
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: other, labels: { app: nightly } }
spec:
  schedule: "0 3 * * *"
  jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: job, image: registry.test/job:1 }] } } } }
`;
