"""/api/v1/search and /api/v1/search/suggest: what the search page shows, for apps and the header box."""
from __future__ import annotations

from flask.views import MethodView

from ..api import SECURITY, Blueprint, error_responses
from ..core.permissions import actor, allow
from . import services
from .permissions import can_search
from .schemas import SearchQuerySchema, SearchResultSchema, SuggestionSchema, SuggestQuerySchema

blp = Blueprint("api_search", __name__, url_prefix="/api/v1", description="Search courses, lessons and videos")
_errors = error_responses(blp)


@blp.route("/search")
class Search(MethodView):
    @allow(can_search)
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, SearchResultSchema)
    @_errors(422)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Courses, lessons and moments in videos the caller may see, best first; visitors find public courses."""
        return services.search(actor(), args["q"], category=args.get("category"), teacher=args.get("teacher"),
                               page=args["page"])


@blp.route("/search/suggest")
class SearchSuggest(MethodView):
    @allow(can_search)
    @blp.arguments(SuggestQuerySchema, location="query")
    @blp.response(200, SuggestionSchema(many=True))
    @_errors(422)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Up to eight course and lesson titles for what has been typed so far (pinyin too: taij → 太极拳)."""
        return services.suggestions(actor(), args["q"])
