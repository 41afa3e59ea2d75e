package load

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// The raw types mirror the schema's JSON form; encoding/json matches their
// field names case-insensitively.
type (
	rawCluster struct {
		Name, Environment, Account, Region string
		Kubernetes                         struct{ Version string }
		Tenancy                            model.Tenancy
		DNS                                struct{ Zone string }
		Network                            struct{ CIDR, VPCID string }
		Capacity                           model.Capacity
		Addons                             map[string]bool
		Upgrade                            *struct {
			Traffic int
			Retire  bool
		}
	}
	rawTenant struct {
		Name       string
		Owners     []string
		Services   map[string]rawService
		Jobs       map[string]rawJob
		Secrets    map[string]struct{ Keys []string }
		Manifests  []map[string]any
		Quota      model.Quota
		Exemptions map[string]struct {
			Reason, Expires string
			Workloads       []string
		}
	}
	rawAddon struct {
		Chart                   model.Chart
		Namespace, Install, AWS string
		ServiceAccount          string
		Capacity                []string
		Wave                    int
		Values                  map[string]any
	}
	rawWorkload struct {
		Image, CPU, Memory string
		Env                map[string]string
		Command, Args      []string
		Files              map[string]string
		AWS                *struct {
			S3       map[string]string `json:"s3"`
			SQS      map[string]string `json:"sqs"`
			DynamoDB map[string]string `json:"dynamodb"`
		} `json:"aws"`
	}
	rawService struct {
		rawWorkload
		Kind           string
		Probe          *struct{ Exec []string }
		Replicas, Port int
		Autoscaling    *struct{ Min, Max, CPU int }
		Health         string
		Ingress        *struct{ Host, Path string }
		Overrides      map[string]struct {
			Replicas    int
			Autoscaling struct{ Min, Max int }
			CPU, Memory string
			Ingress     struct{ Host string }
		}
	}
	rawJob struct {
		rawWorkload
		Schedule, TimeZone string
		Suspend            bool
	}
)

func decodeConfig(e entry) (model.Config, error) {
	// The add-ons are a map in the source and a sorted list in the model:
	// this field hides the model's while decoding.
	var r struct {
		model.Config
		Addons      map[string]rawAddon
		TenantKinds []string
	}
	if err := decode(e.value, &r); err != nil {
		return model.Config{}, fmt.Errorf("%s: decoding: %w", e.file, err)
	}
	c := r.Config
	c.Pos = e.at
	c.TenantKinds = e.refs(e.value, "tenantKinds")
	for name, a := range r.Addons {
		c.Addons = append(c.Addons, &model.Addon{
			Name: name, Chart: a.Chart, Namespace: a.Namespace, Install: a.Install,
			Capacity: a.Capacity, AWS: a.AWS, ServiceAccount: a.ServiceAccount,
			Wave: a.Wave, Values: a.Values,
			Pos: e.labelPos("addons", name), ValuesPos: e.labelPos("addons", name, "values"),
		})
	}
	slices.SortFunc(c.Addons, func(a, b *model.Addon) int {
		return cmp.Or(cmp.Compare(a.Wave, b.Wave), strings.Compare(a.Name, b.Name))
	})
	return c, nil
}

func decodeCluster(e entry) (*model.Cluster, error) {
	var r rawCluster
	if err := decode(e.value, &r); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", e.file, err)
	}
	c := &model.Cluster{
		Name:        r.Name,
		Environment: r.Environment,
		EnvPos:      e.valuePos("environment"),
		Account:     r.Account,
		AccountPos:  e.valuePos("account"),
		Region:      r.Region,
		RegionPos:   e.valuePos("region"),
		Version:     r.Kubernetes.Version,
		VersionPos:  e.valuePos("kubernetes", "version"),
		Tenancy:     r.Tenancy,
		DNSZone:     r.DNS.Zone,
		CIDR:        r.Network.CIDR,
		CIDRPos:     e.valuePos("network", "cidr"),
		VPCID:       r.Network.VPCID,
		VPCIDPos:    e.valuePos("network", "vpcId"),
		Capacity:    r.Capacity,
		MaxSizePos:  e.valuePos("capacity", "maxSize"),
		ModePos:     e.valuePos("capacity", "mode"),
		Pos:         e.at,
	}
	for _, name := range slices.Sorted(maps.Keys(r.Addons)) {
		c.Addons = append(c.Addons, model.AddonChoice{Name: name, On: r.Addons[name], Pos: e.labelPos("addons", name)})
	}
	if u := r.Upgrade; u != nil {
		// A field left to its default is reported at the upgrade block.
		at := func(field string) model.Pos {
			if fd, ok := findField(e.syntax, slices.Concat(e.path, []string{"upgrade", field})); ok {
				return toPos(fd.Value.Pos())
			}
			return e.valuePos("upgrade")
		}
		c.Upgrade = &model.Upgrade{
			Traffic:    u.Traffic,
			Retire:     u.Retire,
			TrafficPos: at("traffic"),
			RetirePos:  at("retire"),
		}
	}
	return c, nil
}

func decodeTenant(e entry) (*model.Tenant, error) {
	var r rawTenant
	if err := decode(e.value, &r); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", e.file, err)
	}
	t := &model.Tenant{
		Name:     r.Name,
		Owners:   r.Owners,
		Clusters: e.refs(e.value, "clusters"),
		Quota:    r.Quota,
		Egress:   e.refs(e.value, "network.egress"),
		Pos:      e.at,
	}
	for _, check := range slices.Sorted(maps.Keys(r.Exemptions)) {
		x := r.Exemptions[check]
		t.Exemptions = append(t.Exemptions, &model.Exemption{
			Check: check, Reason: x.Reason, Expires: x.Expires, Workloads: x.Workloads,
			Pos: e.labelPos("exemptions", check), ExpiresPos: e.valuePos("exemptions", check, "expires"),
		})
	}
	for _, name := range slices.Sorted(maps.Keys(r.Services)) {
		rs := r.Services[name]
		v := e.value.LookupPath(cue.MakePath(cue.Str("services"), cue.Str(name)))
		s := &model.Service{
			Workload:    e.workload(v, "services", name, rs.rawWorkload),
			Kind:        rs.Kind,
			Replicas:    rs.Replicas,
			ReplicasPos: e.writtenPos("services", name, "replicas"),
			Port:        rs.Port,
			Health:      rs.Health,
		}
		if rs.Probe != nil {
			s.Probe = rs.Probe.Exec
		}
		if a := rs.Autoscaling; a != nil {
			s.Autoscaling = &model.Autoscaling{
				Min: a.Min, Max: a.Max, CPU: a.CPU,
				MinPos: e.valuePos("services", name, "autoscaling", "min"),
				MaxPos: e.valuePos("services", name, "autoscaling", "max"),
			}
		}
		if rs.Ingress != nil {
			s.Ingress = &model.Ingress{Host: rs.Ingress.Host, Path: rs.Ingress.Path, Pos: e.valuePos("services", name, "ingress", "host")}
		}
		for _, c := range slices.Sorted(maps.Keys(rs.Overrides)) {
			o := rs.Overrides[c]
			at := e.labelPos("services", name, "overrides", c)
			s.Overrides = append(s.Overrides, &model.Override{
				Cluster:     model.Ref{Name: c, Pos: at},
				Replicas:    o.Replicas,
				ReplicasPos: e.writtenPos("services", name, "overrides", c, "replicas"),
				Min:         o.Autoscaling.Min,
				MinPos:      e.writtenPos("services", name, "overrides", c, "autoscaling", "min"),
				Max:         o.Autoscaling.Max,
				MaxPos:      e.writtenPos("services", name, "overrides", c, "autoscaling", "max"),
				CPU:         o.CPU,
				Memory:      o.Memory,
				Host:        o.Ingress.Host,
			})
		}
		t.Services = append(t.Services, s)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Jobs)) {
		rj := r.Jobs[name]
		v := e.value.LookupPath(cue.MakePath(cue.Str("jobs"), cue.Str(name)))
		t.Jobs = append(t.Jobs, &model.Job{
			Workload: e.workload(v, "jobs", name, rj.rawWorkload),
			Schedule: rj.Schedule,
			TimeZone: rj.TimeZone,
			Suspend:  rj.Suspend,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(r.Secrets)) {
		t.Secrets = append(t.Secrets, &model.Secret{Name: name, Keys: r.Secrets[name].Keys, Pos: e.labelPos("secrets", name)})
	}
	if it, err := e.value.LookupPath(cue.ParsePath("manifests")).List(); err == nil {
		for i := 0; it.Next(); i++ {
			o := r.Manifests[i]
			meta, _ := o["metadata"].(map[string]any)
			at := func(path string) model.Pos { return e.pos(it.Value().LookupPath(cue.ParsePath(path))) }
			m := &model.Manifest{Object: o, Pos: at("kind"), KindPos: at("kind"), NamePos: at("metadata.name"),
				NamespacePos: at("metadata.namespace"), RolePos: at("metadata.annotations." + strconv.Quote(naming.RoleAnnotation))}
			m.APIVersion, _ = o["apiVersion"].(string)
			m.Kind, _ = o["kind"].(string)
			m.Name, _ = meta["name"].(string)
			m.Namespace, _ = meta["namespace"].(string)
			t.Manifests = append(t.Manifests, m)
		}
	}
	return t, nil
}

func (e entry) workload(v cue.Value, kind, name string, r rawWorkload) model.Workload {
	var files []model.File
	for _, path := range slices.Sorted(maps.Keys(r.Files)) {
		files = append(files, model.File{Path: path, Content: r.Files[path], Pos: e.labelPos(kind, name, "files", path)})
	}
	var access []model.Access
	if a := r.AWS; a != nil {
		for _, s := range []struct {
			service string
			levels  map[string]string
		}{{model.S3, a.S3}, {model.SQS, a.SQS}, {model.DynamoDB, a.DynamoDB}} {
			for _, res := range slices.Sorted(maps.Keys(s.levels)) {
				access = append(access, model.Access{Service: s.service, Name: res, Level: s.levels[res], Pos: e.labelPos(kind, name, "aws", s.service, res)})
			}
		}
	}
	return model.Workload{
		AWS:      access,
		Files:    files,
		Name:     name,
		Image:    r.Image,
		CPU:      r.CPU,
		Memory:   r.Memory,
		Secrets:  e.refs(v, "secrets"),
		Env:      r.Env,
		Command:  r.Command,
		Args:     r.Args,
		Pos:      e.labelPos(kind, name),
		ImagePos: e.writtenPos(kind, name, "image"),
	}
}

// refs returns the strings of the list at field of v, with their positions.
func (e entry) refs(v cue.Value, field string) []model.Ref {
	var out []model.Ref
	it, err := v.LookupPath(cue.ParsePath(field)).List()
	if err != nil {
		return nil
	}
	for it.Next() {
		s, _ := it.Value().String()
		out = append(out, model.Ref{Name: s, Pos: e.pos(it.Value())})
	}
	return out
}

// pos is where v, a list element, is written in the entry's file; values
// that only the schema defines (defaults) are placed at the entry itself.
func (e entry) pos(v cue.Value) model.Pos {
	if p := toPos(v.Pos()); p.File == e.file {
		return p
	}
	return e.at
}

// labelPos is where the field at path, below the entry, is written: its
// label, or the entry itself for a field that only the schema defines.
func (e entry) labelPos(path ...string) model.Pos {
	if fd, ok := findField(e.syntax, slices.Concat(e.path, path)); ok {
		return toPos(fd.Label.Pos())
	}
	return e.at
}

// writtenPos is where the value of the field at path is written, or the
// zero position if the file does not write it (a default).
func (e entry) writtenPos(path ...string) model.Pos {
	if fd, ok := findField(e.syntax, slices.Concat(e.path, path)); ok {
		return toPos(fd.Value.Pos())
	}
	return model.Pos{}
}

// valuePos is where the value of the field at path is written.
func (e entry) valuePos(path ...string) model.Pos {
	if fd, ok := findField(e.syntax, slices.Concat(e.path, path)); ok {
		return toPos(fd.Value.Pos())
	}
	return e.at
}
