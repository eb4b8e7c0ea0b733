package adminapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-chi/chi/v5"

	"github.com/paitor/paitor/bot/adminapi"
)

func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	r := e.must(http.StatusOK, "", "GET", "/openapi.json", nil)
	if !json.Valid(r.Raw) {
		t.Fatal("openapi.json is not valid JSON")
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.Raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3: %v", err)
	}
	if !strings.Contains(string(r.Raw), "เทศกาลเมืองแห่งการเรียนรู้ขอนแก่น") {
		t.Error("no Thai examples")
	}

	// Every route is described, and every described path is routed.
	routes, ok := adminapi.New(adminapi.Config{Store: newStore()}).(chi.Routes)
	if !ok {
		t.Fatal("New does not return a chi router")
	}
	routed := map[string]bool{}
	err = chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		key := strings.ToLower(method) + " " + route
		routed[key] = true
		item := doc.Paths.Value(route)
		if item == nil {
			t.Errorf("route %s %s is not in openapi.json", method, route)
			return nil
		}
		op := item.GetOperation(method)
		if op == nil {
			t.Errorf("route %s %s: no %s operation in openapi.json", method, route, method)
			return nil
		}
		if op.Responses == nil || op.Responses.Len() == 0 {
			t.Errorf("%s %s: no responses", method, route)
		}
		if route != "/openapi.json" && op.Responses.Value("401") == nil {
			t.Errorf("%s %s: no 401 response", method, route)
		}
		if (method == "POST" || method == "PATCH") && op.RequestBody != nil {
			for _, mt := range op.RequestBody.Value.Content {
				if mt.Example == nil && len(mt.Examples) == 0 {
					t.Errorf("%s %s: no request example", method, route)
				}
			}
		}
		for code, resp := range op.Responses.Map() {
			for _, mt := range resp.Value.Content {
				if code < "300" && route != "/openapi.json" && mt.Example == nil && len(mt.Examples) == 0 {
					t.Errorf("%s %s %s: no response example", method, route, code)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !routed[strings.ToLower(method)+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not routed", method, path)
			}
		}
	}
	if len(routed) != 15 {
		t.Errorf("%d routes, want 15", len(routed))
	}
}
