"""The page paths written where no request is (mails, calendar feeds, notifications) are
the app's own routes: a route moved without them would send people to a 404."""

from tracker.infra import page_paths


def _endpoint(app, path: str) -> str:
    adapter = app.url_map.bind("tracker.example")
    endpoint, _arguments = adapter.match(path, method="GET")
    return endpoint


def test_each_page_path_is_the_page_it_names(app):
    assert _endpoint(app, page_paths.task_page(4711)) == "tasks.show"
    assert _endpoint(app, page_paths.my_unit_page()) == "tasks.my_unit"
