# src/forecast/forecast_lib.mk: links and installs amplified_forecast, the
# forecasting module's own shared library (see forecast.mk).  Included after
# PGXS, which defines DLSUFFIX, the PIC flags and the install helpers.
FORECAST_LIB = amplified_forecast$(DLSUFFIX)

all: $(FORECAST_LIB)

$(FORECAST_LIB): $(FORECAST_OBJS)
	$(CC) $(CFLAGS) $(FORECAST_OBJS) $(LDFLAGS) $(LDFLAGS_SL) -shared -o $@ $(FORECAST_LIBS)

install: install-forecast-lib

.PHONY: install-forecast-lib
install-forecast-lib: $(FORECAST_LIB) installdirs
	$(INSTALL_SHLIB) $(FORECAST_LIB) '$(DESTDIR)$(pkglibdir)/$(FORECAST_LIB)'

uninstall: uninstall-forecast-lib

.PHONY: uninstall-forecast-lib
uninstall-forecast-lib:
	rm -f '$(DESTDIR)$(pkglibdir)/$(FORECAST_LIB)'

EXTRA_CLEAN += $(FORECAST_LIB) $(FORECAST_OBJS)
