# Request Inspector in headless mode: records and answers every request sent to port 8090.
#
#   docker build -t request-inspector .
#   docker run --rm -p 8090:8090 request-inspector
#   docker run --rm -p 8090:8090 request-inspector --bind 0.0.0.0 --port 8090 --rules preset:echo-json --jsonl -
#
# Arguments after the image name replace CMD below (the listening flags), and
# always follow `request-inspector --headless`.

# Build the wheel in a throwaway stage, so the source tree stays out of the image.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 inspector
USER inspector
WORKDIR /home/inspector
EXPOSE 8090
ENTRYPOINT ["request-inspector", "--headless"]
CMD ["--listen", "0.0.0.0:8090"]
