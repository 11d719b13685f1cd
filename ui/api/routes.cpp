#include "ui/api/routes.h"

#include "ui/api/static_assets.h"

namespace gps::ui {

namespace {

using P = const PathParams&;
using R = const HttpRequest&;
using C = const Caller&;

}  // namespace

void AddRoutes(Router& router, const Guard& guard, RouteHandlers h) {
  ApiHandlers& d = h.devices;
  SessionHandlers& s = h.session;
  AdminHandlers& a = h.admin;
  EventStreams& e = h.events;
  AuditHandlers& audit = h.audit;
  AllowListHandlers& allow = h.allow_list;
  BulkApprove& bulk = h.bulk;

  // Public: health, the page and its assets, logging in.
  router.Add("GET", "/healthz", guard.Public([&d](R r, P) { return d.Health(r); }));
  router.Add("GET", "/", guard.Public([](R, P) { return AssetResponse(IndexPage()); }));
  router.Add("GET", "/static/{file}", guard.Public([](R, P p) {
    std::optional<Asset> asset = StaticAsset(p.at("file"));
    if (!asset) {
      return ErrorResponse(404, "no such file");
    }
    return AssetResponse(*asset);
  }));
  router.Add("POST", "/api/login", guard.Public([&s](R r, P) { return s.Login(r); }));

  // Every logged-in caller.
  router.Add("GET", "/api/session",
             guard.Protect(Access::kView, [&s](R r, P, C c) { return s.Session(r, c); }));
  router.Add("POST", "/api/logout",
             guard.Protect(Access::kView, [&s](R r, P, C c) { return s.Logout(r, c); }));
  router.Add("POST", "/api/session/password",
             guard.Protect(Access::kView, [&s](R r, P, C c) { return s.ChangeOwnPassword(r, c); }));
  router.Add("GET", "/api/devices",
             guard.Protect(Access::kView, [&d](R r, P, C) { return d.ListDevices(r); }));
  router.Add("GET", "/api/devices/{id}", guard.Protect(Access::kView, [&d](R r, P p, C) {
    return d.GetDevice(r, p.at("id"));
  }));
  router.Add("GET", "/api/devices/{id}/history", guard.Protect(Access::kView, [&d](R r, P p, C) {
    return d.DeviceHistory(r, p.at("id"));
  }));
  router.Add("GET", "/api/events",
             guard.Protect(Access::kView, [&e](R r, P, C c) { return e.Open(r, c); }));

  router.Add("GET", "/api/audit",
             guard.Protect(Access::kView, [&audit](R r, P, C) { return audit.Read(r); }));
  router.Add("GET", "/api/allowlist",
             guard.Protect(Access::kView, [&allow](R r, P, C) { return allow.List(r); }));

  // Approvers and admins.
  router.Add("POST", "/api/devices/approve",
             guard.Protect(Access::kOperate, [&bulk](R r, P, C c) { return bulk.Approve(r, c); }));
  router.Add(
      "POST", "/api/devices/{id}/approve",
      guard.Protect(Access::kOperate, [&d](R r, P p, C c) { return d.Approve(r, p.at("id"), c); }));
  router.Add(
      "POST", "/api/devices/{id}/dismiss",
      guard.Protect(Access::kOperate, [&d](R r, P p, C c) { return d.Dismiss(r, p.at("id"), c); }));
  router.Add(
      "POST", "/api/devices/{id}/retry",
      guard.Protect(Access::kOperate, [&d](R r, P p, C c) { return d.Retry(r, p.at("id"), c); }));
  router.Add(
      "POST", "/api/devices/{id}/run-now",
      guard.Protect(Access::kOperate, [&d](R r, P p, C c) { return d.RunNow(r, p.at("id"), c); }));
  router.Add(
      "POST", "/api/devices/{id}/revoke",
      guard.Protect(Access::kOperate, [&d](R r, P p, C c) { return d.Revoke(r, p.at("id"), c); }));

  // Admins.
  router.Add("POST", "/api/allowlist",
             guard.Protect(Access::kAdmin, [&allow](R r, P, C c) { return allow.Add(r, c); }));
  router.Add("DELETE", "/api/allowlist",
             guard.Protect(Access::kAdmin, [&allow](R r, P, C c) { return allow.Remove(r, c); }));
  router.Add("GET", "/api/users",
             guard.Protect(Access::kAdmin, [&a](R r, P, C c) { return a.ListUsers(r, c); }));
  router.Add("POST", "/api/users",
             guard.Protect(Access::kAdmin, [&a](R r, P, C c) { return a.AddUser(r, c); }));
  router.Add("PATCH", "/api/users/{name}", guard.Protect(Access::kAdmin, [&a](R r, P p, C c) {
    return a.UpdateUser(r, p.at("name"), c);
  }));
  router.Add("DELETE", "/api/users/{name}", guard.Protect(Access::kAdmin, [&a](R r, P p, C c) {
    return a.DeleteUser(r, p.at("name"), c);
  }));
  router.Add("GET", "/api/tokens",
             guard.Protect(Access::kAdmin, [&a](R r, P, C c) { return a.ListTokens(r, c); }));
  router.Add("POST", "/api/tokens",
             guard.Protect(Access::kAdmin, [&a](R r, P, C c) { return a.AddToken(r, c); }));
  router.Add("DELETE", "/api/tokens/{id}", guard.Protect(Access::kAdmin, [&a](R r, P p, C c) {
    return a.DeleteToken(r, p.at("id"), c);
  }));
}

}  // namespace gps::ui
