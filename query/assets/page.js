/*
 * What the search page adds when JavaScript runs (query/page.c writes a
 * page that is whole without it):
 *   - search as you type: the results of the box's text replace the
 *     page's, fetched from /search as the form would ask, a moment
 *     after the last key, and a screen reader is told what came (the
 *     count, or that nothing matched) through a live region that stays
 *     on the page (one that comes with the new results is not read);
 *     not while an input method composes (Chinese, Japanese, Korean):
 *     its letters are not yet the text, which comes when it ends;
 *   - completions of the box's last word, from /api/suggest, in the
 *     box's list;
 *   - keys: "/" goes to the search box, j or the down arrow to the next
 *     result, k or the up arrow to the previous one, Escape leaves the
 *     box (its text kept);
 *   - a thumbnail that cannot be loaded is hidden, not shown broken;
 *   - the footer that tells the keys is shown (without the script there
 *     are none to tell), with a button that turns them off, and on
 *     again, remembered by the browser: a key of one letter is pressed
 *     by speech input saying a word, or by a slip (WCAG 2.1.4);
 *   - new articles: on a first page of results, while the page is
 *     visible, a stream of the index's changes (/api/events); when the
 *     index changed, the page's own search is asked again (/api/search,
 *     the URL <main data-live> gives) and the results it has that the
 *     page does not are offered, "2 new articles · Show", at the top of
 *     the results, and said through the live region; nothing moves
 *     until the reader asks (docs/serving.md, "New articles").
 * It keeps to what the Content-Security-Policy allows: no inline code,
 * no eval, fetches to the server only.
 */
"use strict";

(function () {
	var DELAY = 250; /* ms after the last key before searching */
	var form = document.querySelector("form.search");
	/* The server's own URLs, from the form's action (relative to the
	 * page: right under a reverse proxy's path prefix too). */
	function at(path) {
		return new URL(path, form ? form.action : location.href).href;
	}
	var box = document.getElementById("q");
	var timer = 0;
	var asked = 0; /* the number of the last search sent */
	var told = null; /* the live region, there before anything is said */
	var CHECK_GAP = 3000; /* ms at least between two searches for news */
	var stream = null; /* the EventSource of /api/events, while visible */
	var reopen = 0; /* the timer that opens a refused stream again */
	var seen = null; /* the revision the results are known to be of */
	var checking = false; /* a search for news is on its way */
	var again = false; /* and the index changed meanwhile */
	var checked = 0; /* when the last search for news was sent */
	var later_check = 0;
	var news = {}; /* what names each new result: true */

	/* Whether the keys of one letter (and the arrows) are on: the
	 * reader may turn them off, for every page of this server. */
	var KEYS_OFF = "newsindex-keys-off";
	var keysOff = false;
	try {
		keysOff = Boolean(localStorage.getItem(KEYS_OFF));
	} catch (err) {
		/* Storage refused: on, and turned off for this page only. */
	}
	function keysOn() {
		return !keysOff;
	}

	function typing(el) {
		return el && (el.isContentEditable ||
			/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
	}

	/* Each result's title link (or its title, when it has no link). */
	function targets() {
		return Array.prototype.map.call(
			document.querySelectorAll(".hit"), function (hit) {
				return hit.querySelector(".title a") ||
					hit.querySelector(".title");
			});
	}

	/* False, having done nothing, when the page has no result: the key
	 * then does what it does without the script (an arrow scrolls). */
	function move(step) {
		var all = targets();
		if (!all.length)
			return false;
		var at = all.indexOf(document.activeElement);
		var next = at < 0 ? (step > 0 ? 0 : all.length - 1)
			: Math.min(all.length - 1, Math.max(0, at + step));
		var target = all[next];
		if (!target.hasAttribute("href"))
			target.setAttribute("tabindex", "-1");
		target.focus();
		document.querySelectorAll(".hit.current").forEach(function (h) {
			h.classList.remove("current");
		});
		target.closest(".hit").classList.add("current");
		target.closest(".hit").scrollIntoView({block: "nearest"});
		return true;
	}

	document.addEventListener("keydown", function (e) {
		if (e.altKey || e.ctrlKey || e.metaKey)
			return;
		if (typing(e.target)) {
			/* Escape leaves the box with its text: a search box
			 * would empty itself, leaving the results of a query
			 * no longer shown. */
			if (e.key === "Escape" && e.target === box) {
				e.preventDefault();
				box.blur();
			}
			return;
		}
		if (!keysOn()) {
			return;
		} else if (e.key === "/") {
			e.preventDefault();
			box.focus();
			box.select();
		} else if ((e.key === "j" || e.key === "ArrowDown") && move(1)) {
			e.preventDefault();
		} else if ((e.key === "k" || e.key === "ArrowUp") && move(-1)) {
			e.preventDefault();
		}
	});

	/* The form's fields as a query string, but for an empty date. */
	function query() {
		var params = new URLSearchParams(new FormData(form));
		["from", "to"].forEach(function (name) {
			if (params.get(name) === "")
				params.delete(name);
		});
		if (params.get("sort") === "relevance")
			params.delete("sort");
		return params.toString();
	}

	/* Say what the new results are: the count, or the heading of the
	 * page for none or for a problem; not the time the search took,
	 * which would be read after every key. */
	function tell(main) {
		var what = main.querySelector(".summary") ||
			main.querySelector("h1:not(.visually-hidden)");
		if (!told)
			return;
		var words = what ? what.cloneNode(true) : null;
		if (words)
			words.querySelectorAll(".time").forEach(function (t) {
				t.remove();
			});
		told.textContent = words ? words.textContent.trim() : "";
	}

	/* The head's link to the search's feed (for readers that find a
	 * page's feeds) is the new results', or none. */
	function feedLink(doc) {
		var atom = 'link[rel="alternate"][type="application/atom+xml"]';
		var old = document.head.querySelector(atom);
		var fresh = doc.head.querySelector(atom);
		if (old)
			old.remove();
		if (fresh)
			document.head.appendChild(document.adoptNode(fresh));
	}

	/* Show the page at `url` (one of this server's searches) in place
	 * of this one's results; then `then(main)`, when given. */
	function load(url, then) {
		var number = ++asked;
		fetch(url, {headers: {"Accept": "text/html"}})
			.then(function (response) {
				return response.text();
			})
			.then(function (html) {
				if (number !== asked)
					return; /* a later search was sent */
				var doc = new DOMParser().parseFromString(html,
					"text/html");
				var fresh = doc.getElementById("main");
				var main = document.getElementById("main");
				if (!fresh || !main)
					return;
				main.replaceWith(document.adoptNode(fresh));
				tell(fresh);
				document.title = doc.title;
				feedLink(doc);
				var top = document.querySelector(".top");
				if (top)
					top.classList.remove("home");
				history.replaceState(null, "", url);
				follow();
				if (then)
					then(fresh);
			})
			.catch(function () {
				/* The form still works: nothing to do. */
			});
	}

	function search() {
		var text = box.value.trim();
		if (text)
			load(at("search?" + query()));
	}

	/* ---- new articles ---- */

	/* What names a result: its URL (or file) as the page shows it,
	 * else its title; the same of an answer of /api/search, written
	 * as page.c writes it (controls as U+FFFD, no bidi controls). */
	function clean(text) {
		return String(text).replace(/[\u202a-\u202e\u2066-\u2069]/g, "")
			.replace(/[\t\n\r]/g, " ")
			.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\ufffd");
	}

	function nameOfHit(hit) {
		var url = hit.querySelector(".url");
		var title = hit.querySelector(".title");
		return url ? "u" + url.textContent
			: "t" + (title ? title.textContent : "");
	}

	function nameOfResult(r) {
		var shown = r.url !== null ? r.url : r.path;
		if (shown !== null && shown !== undefined)
			return "u" + clean(shown);
		return "t" + clean(r.title && r.title.trim() ? r.title
			: "(no title)");
	}

	/* "N new articles · Show" at the top of the results, or none. */
	function offer(count) {
		var main = document.getElementById("main");
		var bar = main && main.querySelector(".fresh");
		if (!count) {
			if (bar)
				bar.remove();
			return;
		}
		var text = count + (count === 1 ? " new article"
			: " new articles");
		if (!bar) {
			bar = document.createElement("div");
			bar.className = "fresh";
			var words = document.createElement("span");
			words.id = "fresh-count";
			var show = document.createElement("button");
			show.type = "button";
			show.textContent = "Show";
			/* "Show", to one who goes from button to button, says
			 * what it shows. */
			show.setAttribute("aria-describedby", words.id);
			show.addEventListener("click", showNew);
			bar.append(words, " \u00b7 ", show);
			var results = main.querySelector(".results");
			(results || main).prepend(bar);
		}
		if (bar.firstChild.textContent !== text) {
			bar.firstChild.textContent = text;
			if (told)
				told.textContent = text;
		}
	}

	/* The page's search again, at most every CHECK_GAP ms: the
	 * results it did not show are offered. */
	function check() {
		var main = document.getElementById("main");
		var api = main && main.getAttribute("data-live");
		if (!api)
			return;
		if (checking) {
			again = true;
			return;
		}
		var wait = checked + CHECK_GAP - Date.now();
		if (wait > 0) {
			clearTimeout(later_check);
			later_check = setTimeout(check, wait);
			return;
		}
		checking = true;
		checked = Date.now();
		fetch(api)
			.then(function (response) {
				return response.ok ? response.json() : null;
			})
			.then(function (answer) {
				if (!answer || !Array.isArray(answer.results) ||
				    document.getElementById("main") !== main)
					return;
				var shown = {};
				main.querySelectorAll(".hit").forEach(function (h) {
					shown[nameOfHit(h)] = true;
				});
				news = {};
				var count = 0;
				answer.results.forEach(function (r) {
					var name = nameOfResult(r);
					if (!shown[name] && !news[name]) {
						news[name] = true;
						count++;
					}
				});
				offer(count);
			})
			.catch(function () {})
			.then(function () {
				checking = false;
				if (again) {
					again = false;
					check();
				}
			});
	}

	/* The results again, the new ones marked and the first in focus. */
	function showNew() {
		var names = news;
		load(location.pathname + location.search, function (main) {
			var first = null;
			main.querySelectorAll(".hit").forEach(function (h) {
				if (names[nameOfHit(h)]) {
					h.classList.add("new");
					first = first || h;
				}
			});
			var target = first && first.querySelector(".title a");
			if (target)
				target.focus();
			else
				window.scrollTo(0, 0);
		});
	}

	/* An event of /api/events: the index as it is now. */
	function changed(e) {
		var now;
		try {
			now = JSON.parse(e.data);
		} catch (err) {
			return;
		}
		/* The results are of this revision: nothing is new. */
		if (now.revision !== null && now.revision === seen)
			return;
		seen = now.revision;
		check();
	}

	function quiet() {
		clearTimeout(reopen);
		if (stream) {
			stream.close();
			stream = null;
		}
	}

	/* Listen to the index's changes while a first page of results is
	 * shown and visible; a hidden page costs the server nothing. */
	function listen() {
		var main = document.getElementById("main");
		if (!window.EventSource || document.hidden || !main ||
		    !main.hasAttribute("data-live")) {
			quiet();
			return;
		}
		if (stream)
			return;
		stream = new EventSource(at("api/events"));
		stream.addEventListener("index", changed);
		stream.addEventListener("error", function () {
			/* It gives up on an answer that is no stream (503 while
			 * the server is full): try again in a while. */
			if (stream && stream.readyState === EventSource.CLOSED) {
				stream = null;
				reopen = setTimeout(listen, 30000);
			}
		});
	}

	/* A page of results in place: its revision is what is known. */
	function follow() {
		var main = document.getElementById("main");
		var revision = main && main.getAttribute("data-revision");
		seen = revision ? Number(revision) : null;
		news = {};
		listen();
	}

	/* The completions of the last word, as the box's list. */
	var list = null;
	var completing = 0;

	/* The box's list: each completion's whole text. */
	function fill(suggestions) {
		list.replaceChildren();
		suggestions.forEach(function (s) {
			var option = document.createElement("option");
			option.value = s.text;
			list.appendChild(option);
		});
	}

	function complete() {
		var text = box.value;
		if (!list || !text.trim() || /\s$/.test(text))
			return;
		var number = ++completing;
		fetch(at("api/suggest?q=" + encodeURIComponent(text)))
			.then(function (response) {
				return response.ok ? response.json() : null;
			})
			.then(function (answer) {
				if (number !== completing || !answer ||
				    !Array.isArray(answer.suggestions))
					return;
				fill(answer.suggestions);
			})
			.catch(function () {});
	}

	/* A thumbnail that did not load takes its place, empty. */
	function hide(img) {
		if (img.classList && img.classList.contains("thumb"))
			img.classList.add("broken");
	}

	document.addEventListener("error", function (e) {
		hide(e.target);
	}, true);
	document.querySelectorAll("img.thumb").forEach(function (img) {
		if (img.complete && !img.naturalWidth)
			hide(img);
	});

	document.addEventListener("visibilitychange", listen);
	follow();

	/* The keys work now: say which (a phone's style hides it), and
	 * offer to turn them off. */
	var footer = document.querySelector("footer.bottom");
	if (footer) {
		var turn = document.createElement("button");
		turn.type = "button";
		turn.className = "keys";
		var label = function () {
			turn.textContent = keysOn() ? "Turn the keys off"
				: "Turn the keys on";
		};
		turn.addEventListener("click", function () {
			keysOff = !keysOff;
			try {
				if (keysOff)
					localStorage.setItem(KEYS_OFF, "1");
				else
					localStorage.removeItem(KEYS_OFF);
			} catch (err) {
				/* Kept for this page only. */
			}
			label();
		});
		label();
		(footer.querySelector("p") || footer).append(" ", turn);
		footer.hidden = false;
	}

	if (form && box) {
		told = document.createElement("div");
		told.id = "told";
		told.className = "visually-hidden";
		told.setAttribute("role", "status");
		told.setAttribute("aria-live", "polite");
		document.body.appendChild(told);
		list = document.createElement("datalist");
		list.id = "q-completions";
		form.appendChild(list);
		box.setAttribute("list", list.id);
		var later = function () {
			clearTimeout(timer);
			timer = setTimeout(function () {
				search();
				complete();
			}, DELAY);
		};
		box.addEventListener("input", function (e) {
			if (e.isComposing)
				clearTimeout(timer);
			else
				later();
		});
		box.addEventListener("compositionend", later);
		form.addEventListener("submit", function () {
			clearTimeout(timer);
			asked++; /* what is on its way is stale now */
		});
	}
})();
