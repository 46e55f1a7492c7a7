"""What the analysts look at: charts (:mod:`casplan.views.charts`) and tables (:mod:`casplan.views.tables`)."""
