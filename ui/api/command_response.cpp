#include "ui/api/command_response.h"

#include "gps/json/json.h"

namespace gps::ui {

namespace {

std::string DefaultMessage(protocol::ReplyStatus status) {
  switch (status) {
    case protocol::ReplyStatus::kAccepted:
      return "accepted";
    case protocol::ReplyStatus::kInvalid:
      return "the engine refused the request as invalid";
    case protocol::ReplyStatus::kNotFound:
      return "no such device";
    case protocol::ReplyStatus::kConflict:
      return "the engine refused: the name is taken or the device is not in a state that allows "
             "this";
    case protocol::ReplyStatus::kUnavailable:
      return "the engine could not reach a cloud service; try again later";
  }
  return "unknown reply";
}

}  // namespace

int HttpStatusForReply(protocol::ReplyStatus status) {
  switch (status) {
    case protocol::ReplyStatus::kAccepted:
      return 202;
    case protocol::ReplyStatus::kInvalid:
      return 400;
    case protocol::ReplyStatus::kNotFound:
      return 404;
    case protocol::ReplyStatus::kConflict:
      return 409;
    case protocol::ReplyStatus::kUnavailable:
      return 502;
  }
  return 502;
}

std::string FormatSeconds(Millis ms) {
  std::string out = std::to_string(ms / 1000);
  Millis rest = ms % 1000;
  if (rest != 0) {
    std::string frac = std::to_string(1000 + rest).substr(1);  // three digits
    while (frac.back() == '0') {
      frac.pop_back();
    }
    out += "." + frac;
  }
  return out;
}

HttpResponse CommandResponse(const Result<protocol::CommandReply>& sent, Millis timeout_ms) {
  if (!sent.ok()) {
    const Status& st = sent.status();
    if (st.IsDeadlineExceeded()) {
      return ErrorResponse(504, "the engine did not answer within " + FormatSeconds(timeout_ms) +
                                    " s; the command may still be carried out");
    }
    if (st.IsUnavailable()) {
      return ErrorResponse(503, st.message());
    }
    if (st.IsInvalidArgument()) {
      return ErrorResponse(502, "the engine's reply could not be read: " + st.message());
    }
    return ErrorResponse(500, st.message());
  }
  const protocol::CommandReply& reply = *sent;
  std::string message = reply.message.empty() ? DefaultMessage(reply.status) : reply.message;
  int status = HttpStatusForReply(reply.status);
  if (reply.status == protocol::ReplyStatus::kAccepted) {
    json::Writer w;
    w.BeginObject().Field("status", "accepted").Field("message", message).EndObject();
    return JsonResponse(status, w.Take());
  }
  return ErrorResponse(status, message);
}

}  // namespace gps::ui
