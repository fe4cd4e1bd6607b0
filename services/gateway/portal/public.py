"""The public page: the voluntary public disclosures the Ethics Office approved for a cycle, for
anyone, without signing in (and without staff ids)."""
import datetime as dt

from .reports import checked_year
from .web import page

YEARS_LISTED = 6


class PublicPages:
    @page("GET", "/public/disclosures", public=True)
    def portal_public_disclosure_years(self, visit):
        if visit.query.get("year"):
            return visit.redirect(f"/public/disclosures/{checked_year(visit.query['year'])}")
        this_year = dt.date.today().year
        return visit.render("public/years.html",
                            years=list(range(this_year, this_year - YEARS_LISTED, -1)))

    @page("GET", "/public/disclosures/<int:year>", public=True)
    def portal_public_disclosures(self, visit, year):
        published = self.disclosure.published_disclosures(checked_year(year))
        return visit.render("public/disclosures.html", year=year,
                            published=sorted(published, key=lambda d: (
                                d.get("name") or d["entity"], d["entity"])))
